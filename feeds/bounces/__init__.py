"""Bounces and complaints: reading them, and what they do to the subscriber list.

    verp.py      the envelope sender that names the reader a bounce is about
    reports.py   a DSN (RFC 3464) or an ARF complaint (RFC 5965) → reports
    mailboxes.py reading the bounce mailbox: a Maildir folder, or IMAP
    webhooks.py  the JSON of HTTP email APIs (Postmark, SES through SNS) → reports
    record.py    a report → the bounce history, the suppression list, unsubscribing

A hard bounce suppresses the address; soft bounces are counted and suppress it
after ``[bounces] soft_limit`` within ``soft_window_days``; a complaint
unsubscribes the reader at once. The digest, the web sign-up and CSV import all
honour the one suppression list.
"""
