"""Mail: one reader's message, built with the email package, and the transports it leaves by.

    message.py   Sender, Letter and the MIME message (EmailMessage, policy.SMTP)
    dkim.py      DKIM signatures (dkimpy, optional)
    delivery/    outbox (Maildir), smtp and http transports, and what became of each copy
    retries.py   copies refused for now, waiting for another try in the same run

Used by the digest (feeds.digest) and the web sign-up's notices (feeds.notices); it
knows neither: what a letter says is their business, how it leaves is this package's.
"""
