"""Single emails the web sign-up sends: "confirm your subscription" and, to an address
that is already subscribed, "you are already subscribed" (so the form answers the same
for every address and reveals nothing, while the owner still learns what happened).

They go through the digest's transports and message writer, so they carry the same
sender, headers and DKIM signature as the digest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import make_msgid

import jinja2

from . import templates
from .bounces.verp import return_path
from .config import Config
from .digest.delivery import Outcome, Outgoing, open_transport
from .digest.message import DkimSigner, Letter, Sender, to_bytes, unsubscribe_mailto
from .subscribers import Subscriber
from .tokens import Tokens
from .urls import Links


@dataclass(frozen=True)
class Notice:
    subject: str
    lead: str  # one paragraph
    action: str  # the button's label
    url: str  # where it goes
    note: str  # a closing line


def confirmation(config: Config, subscriber: Subscriber, tokens: Tokens) -> Notice:
    links = Links(config.site.base_url)
    token = tokens.make("confirm", subscriber.id, subscriber.email)
    return Notice(
        subject=f"【{config.site.title}】请确认订阅",
        lead=f"有人用这个地址订阅了{config.site.title}的每日新闻摘要。"
             "如果是您本人，请点击下面的按钮确认；链接七天内有效。",
        action="确认订阅", url=links.confirm(token),
        note="如果您没有订阅，请忽略这封邮件，我们不会再给您发信。")


def already_subscribed(config: Config, subscriber: Subscriber, tokens: Tokens) -> Notice:
    links = Links(config.site.base_url)
    token = tokens.make("preferences", subscriber.id, subscriber.email)
    return Notice(
        subject=f"【{config.site.title}】您已订阅",
        lead=f"有人用这个地址再次订阅了{config.site.title}的新闻摘要。这个地址已经订阅，"
             "无需再次确认。要更改栏目或退订，请点击下面的按钮。",
        action="管理订阅", url=links.preferences(token),
        note="如果不是您本人操作，请忽略这封邮件。")


def letter(config: Config, env: jinja2.Environment, notice: Notice, subscriber: Subscriber,
           tokens: Tokens, now: dt.datetime) -> Letter:
    sender = Sender.from_config(config)
    unsubscribe = tokens.make("unsubscribe", subscriber.id, subscriber.email)
    context = {"notice": notice, "site": config.site}
    return Letter(
        sender=sender, to=subscriber.email, subject=notice.subject,
        text=templates.render(templates.load(env, "notice.txt.j2"), **context),
        html=templates.render(templates.load(env, "notice.html.j2"), **context),
        message_id=make_msgid("notice", domain=sender.domain),
        date=now.astimezone(config.site.zone),
        unsubscribe_url=Links(config.site.base_url).unsubscribe(unsubscribe),
        unsubscribe_mailto=unsubscribe_mailto(sender.unsubscribe_address, unsubscribe),
        return_path=return_path(config, tokens, subscriber.id, subscriber.email))


def send(config: Config, mail: Letter) -> Outcome:
    """Deliver one letter through the configured transport; raises TransportUnavailable."""
    transport = open_transport(config)
    try:
        signer = DkimSigner.from_config(config, mail.sender)
        raw = to_bytes(mail, signer) if transport.needs_mime else b""
        return next(iter(transport.send([Outgoing(0, mail, raw)])))
    finally:
        transport.close()
