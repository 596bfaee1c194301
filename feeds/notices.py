"""Single emails the web sign-up sends: "confirm your subscription" and, to an address
that is already subscribed, "you are already subscribed" (so the form answers the same
for every address and reveals nothing, while the owner still learns what happened).

They go through the same mail layer as the digest (feeds.mail), so they carry the same
sender, headers, VERP envelope sender and DKIM signature. Their words
come from the catalogue (feeds.wording), in the site's language; how many may go to
one address is the web's decision (feeds.web.limits).
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from email.utils import make_msgid

import jinja2

from . import rendering
from .bounces.verp import return_path
from .config import Config
from .mail.delivery import Outcome, Outgoing, open_transport
from .mail.dkim import DkimSigner
from .mail.message import Letter, Sender, to_bytes, unsubscribe_mailto
from .subscribers import Subscriber
from .tokens import Tokens
from .urls import Links
from .wording import wording


@dataclass(frozen=True)
class Notice:
    subject: str
    lead: str  # one paragraph
    action: str  # the button's label
    url: str  # where it goes
    note: str  # a closing line


def confirmation(config: Config, subscriber: Subscriber, tokens: Tokens) -> Notice:
    token = tokens.make("confirm", subscriber.id, subscriber.email)
    return _notice(config, "confirmation", Links(config.site.base_url).confirm(token))


def already_subscribed(config: Config, subscriber: Subscriber, tokens: Tokens) -> Notice:
    token = tokens.make("preferences", subscriber.id, subscriber.email)
    return _notice(config, "already_subscribed", Links(config.site.base_url).preferences(token))


def _notice(config: Config, key: str, url: str) -> Notice:
    words = wording(config).notice(key, site=config.site.title)
    return Notice(words["subject"], words["lead"], words["action"], url, words["note"])


def letter(config: Config, env: jinja2.Environment, notice: Notice, subscriber: Subscriber,
           tokens: Tokens, now: dt.datetime) -> Letter:
    sender = Sender.from_config(config)
    unsubscribe = tokens.make("unsubscribe", subscriber.id, subscriber.email)
    context = {"notice": notice, "site": config.site}
    return Letter(sender=sender, to=subscriber.email, subject=notice.subject,
                  text=rendering.render(rendering.load(env, "notice.txt.j2"), **context),
                  html=rendering.render(rendering.load(env, "notice.html.j2"), **context),
                  message_id=make_msgid("notice", domain=sender.domain),
                  date=now.astimezone(config.site.zone),
                  unsubscribe_url=Links(config.site.base_url).unsubscribe(unsubscribe),
                  unsubscribe_mailto=unsubscribe_mailto(sender.unsubscribe_address, unsubscribe),
                  return_path=return_path(config, tokens, subscriber.id, subscriber.email))


def send(config: Config, mail: Letter) -> Outcome:
    """Deliver one letter through the configured transport; raises TransportUnavailable."""
    with closing(open_transport(config)) as transport:
        signer = DkimSigner.from_config(config, mail.sender)
        raw = to_bytes(mail, signer) if transport.needs_mime else b""
        return next(iter(transport.send([Outgoing(0, mail, raw)])))
