"""The email digest: editions of new entries, rendered per subscriber, delivered once.

    edition.py   which entries are new, grouped by section; each subscriber's share
    ledger.py    editions and the send ledger in the state database
    render.py    the email's subject, HTML and text from the templates
    send.py      one run: resume unfinished editions, make the new one, deliver

Data flows one way: entries in, email out. The message and its delivery are
feeds.mail's; the web copy goes onto the site through the site writer. The
digest knows nothing of the feeds or pages outputs except the URL scheme they
share (feeds.urls).
"""
