"""VERP: every copy's envelope sender names its reader, ``bounces+<tag>@domain``.

A bounce goes to the envelope sender, so the address it arrives at says whose
copy failed, even when the report itself names a forwarding address or nothing
readable at all. The tag is signed (feeds.tokens.Tokens.bounce_tag).
"""

from __future__ import annotations

import re

from ..config import Config
from ..tokens import Tokens


def bounce_address(config: Config) -> str:
    """``[bounces] address``, else ``bounces@`` the domain of the From address."""
    if config.bounces.address:
        return config.bounces.address
    sender = config.digest.from_address or f"digest@{config.site.domain}"
    return "bounces@" + sender.rpartition("@")[2]


def return_path(config: Config, tokens: Tokens, subscriber_id: int, email: str) -> str:
    base = bounce_address(config)
    if not config.bounces.verp:
        return base
    local, _, domain = base.rpartition("@")
    return f"{local}+{tokens.bounce_tag(subscriber_id, email)}@{domain}"


def tag_in(text: str, base: str) -> str | None:
    """The tag of the first VERP address built on ``base`` found in ``text``."""
    local, _, domain = base.rpartition("@")
    found = re.search(rf"(?<![\w.+-]){re.escape(local)}\+(\d+-[0-9a-f]{{12}})@"
                      rf"{re.escape(domain)}\b", text, re.IGNORECASE)
    return found.group(1).lower() if found else None


def subscriber_of(tag: str) -> int:
    return int(tag.partition("-")[0])
