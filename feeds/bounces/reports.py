"""What a message in the bounce mailbox reports: failed deliveries or a complaint.

Delivery status notifications (RFC 3464) are read with flufl.bounce, Mailman's
bounce detector, which also knows the many non-standard formats servers still
send; its permanent failures are hard bounces, its temporary ones soft, except
that a standard DSN's own status code decides when it has one (RFC 3463: 4.x.x
is transient, as when a server gives up on a full mailbox after days, 5.x.x
permanent). A DSN whose action is ``delayed`` is only a warning (the server is
still trying) and counts for nothing. Complaints come as ARF reports (RFC 5965, multipart/report
with report-type=feedback-report), read with the ``email`` package. Anything
else (an auto-reply, spam) reports nothing.
"""

from __future__ import annotations

import email
import hashlib
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.utils import getaddresses
from typing import Any, Literal

from flufl.bounce import all_failures

from . import verp

Kind = Literal["hard", "soft", "complaint"]
# Headers a mail server writes with the address a message was delivered to.
_DELIVERED_TO = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")
_STATUS_CLASS: dict[str, Kind] = {"4.": "soft", "5.": "hard"}  # RFC 3463: transient, permanent


@dataclass(frozen=True)
class Report:
    kind: Kind
    address: str | None  # as the report names it
    tag: str | None  # the VERP tag of the copy it is about, when known
    detail: str  # a status and the server's words, for `feeds subscribers list`
    key: str  # unique per report and address: a report read twice counts once


def read_message(raw: bytes, bounce_address: str) -> list[Report]:
    message = email.message_from_bytes(raw, policy=policy.compat32)
    key = (message.get("Message-ID") or "").strip() or hashlib.sha256(raw).hexdigest()
    tag = _tag(message, bounce_address)
    report_type = message.get_param("report-type")
    if (message.get_content_type() == "multipart/report" and isinstance(report_type, str)
            and report_type.lower() == "feedback-report"):
        return _complaint(message, key, tag, bounce_address)
    temporary, permanent = all_failures(message)
    statuses = _statuses(message)
    reports = []
    found: list[tuple[Kind, bytes]] = [("hard", a) for a in permanent]
    found += [("soft", a) for a in temporary - permanent]
    for guess, raw_address in sorted(found, key=lambda pair: pair[1]):
        address = raw_address.decode("utf-8", "replace").strip("<>").lower()
        action, detail = statuses.get(address, ("failed", ""))
        if action == "delayed":
            continue
        kind = _STATUS_CLASS.get(detail[:2], guess)  # the DSN's own status code decides
        reports.append(Report(kind, address, tag, detail or f"{kind} bounce",
                              f"{key}#{address}"))
    return reports[:1] if tag else reports  # one copy, one reader: the tag decides who


def _tag(message: Message, bounce_address: str) -> str | None:
    for name in _DELIVERED_TO:
        for value in message.get_all(name) or []:
            found = verp.tag_in(str(value), bounce_address)
            if found:
                return found
    return None


def _complaint(message: Message, key: str, tag: str | None,
               bounce_address: str) -> list[Report]:
    fields: dict[str, str] = {}
    original_to = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/feedback-report":
            fields = _fields(part)
        elif kind in ("message/rfc822", "text/rfc822-headers") and original_to is None:
            original_to = _original_header(part, "To")
            tag = tag or verp.tag_in(_original_header(part, "Return-Path") or "",
                                     bounce_address)
    tag = tag or verp.tag_in(fields.get("original-mail-from", ""), bounce_address)
    address = fields.get("original-rcpt-to") or original_to
    parsed = getaddresses([address]) if address else []
    address = parsed[0][1].lower() if parsed and parsed[0][1] else None
    if address is None and tag is None:
        return []
    detail = f"complaint ({fields.get('feedback-type', 'abuse')})"
    return [Report("complaint", address, tag, detail, f"{key}#complaint")]


def _fields(part: Message) -> dict[str, str]:
    """The header-like fields of a message/feedback-report part, lowercased names."""
    payload: Any = part.get_payload()
    if not isinstance(payload, list):  # else parsed as an embedded message: its headers
        text = payload if isinstance(payload, str) else ""
        payload = [email.message_from_string(text, policy=policy.compat32)]
    return {k.lower(): str(v).strip() for m in payload for k, v in m.items()}


def _original_header(part: Message, name: str) -> str | None:
    payload: Any = part.get_payload()
    if isinstance(payload, list) and payload:
        value = payload[0].get(name)
    else:
        text: Any = part.get_payload(decode=True) or b""
        value = email.message_from_bytes(bytes(text), policy=policy.compat32).get(name)
    return str(value) if value else None


def _statuses(message: Message) -> dict[str, tuple[str, str]]:
    """Per recipient of a DSN: its Action and "Status Diagnostic-Code"."""
    out: dict[str, tuple[str, str]] = {}
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks: Any = part.get_payload()
        for block in blocks[1:] if isinstance(blocks, list) else []:
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient")
                            or "")
            address = recipient.partition(";")[2].strip().strip("<>").lower()
            if not address:
                continue
            words = " ".join(str(block.get("Diagnostic-Code") or "").split())
            status = str(block.get("Status") or "").strip()
            action = str(block.get("Action") or "failed").strip().lower()
            out[address] = (action, " ".join(x for x in (status, words) if x)[:300])
    return out
