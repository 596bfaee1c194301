"""Bounces and complaints posted by HTTP email APIs, checked before they are believed.

Postmark posts one JSON record per event; a webhook URL may carry HTTP basic
auth credentials, and the password must be ``[bounces] webhook_secret_env``.

    {"RecordType": "Bounce", "Type": "HardBounce", "Email": "…", "ID": 42, "Details": "…"}
    {"RecordType": "SpamComplaint", "Email": "…", "ID": 43}

Amazon SES posts through SNS: an envelope whose ``Message`` is the SES
notification as a JSON string, signed by Amazon (SignatureVersion 1: SHA1 with
RSA, 2: SHA256 with RSA) with the certificate at ``SigningCertURL``, which is
fetched only from a URL matching ``[bounces] sns_certificate_url``. A
SubscriptionConfirmation is confirmed by visiting its SubscribeURL, after the
same check.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Callable
from typing import Any

from ..config import BouncesConfig
from ..errors import FeedsError
from .reports import Kind, Report

# Postmark bounce types: those that will not go away, and those that may.
_POSTMARK_HARD = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated", "SpamNotification"}
_POSTMARK_SOFT = {"SoftBounce", "Transient", "DnsError", "Undeliverable"}
# The fields SNS signs, in order, per message type.
_SNS_CONFIRMATION = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
                     "Type")
_SNS_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": _SNS_CONFIRMATION, "UnsubscribeConfirmation": _SNS_CONFIRMATION,
}


class WebhookRefused(FeedsError):
    """Not from who it says (bad secret or signature), or not a message we read."""


def check_basic_auth(authorization: str | None, secret: str) -> None:
    scheme, _, encoded = (authorization or "").partition(" ")
    try:
        _, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        password = ""
    if scheme.lower() != "basic" or not hmac.compare_digest(password.encode(),
                                                            secret.encode()):
        raise WebhookRefused("wrong or missing webhook credentials")


def postmark_reports(record: Any) -> list[Report]:
    if not isinstance(record, dict):
        raise WebhookRefused("not a Postmark webhook record")
    kind: Kind | None = None
    if record.get("RecordType") == "SpamComplaint" or record.get("Type") == "SpamComplaint":
        kind = "complaint"
    elif record.get("RecordType") == "Bounce":
        kind = ("hard" if record.get("Type") in _POSTMARK_HARD
                else "soft" if record.get("Type") in _POSTMARK_SOFT else None)
    address = str(record.get("Email") or "").strip().lower()
    if kind is None or not address:
        return []
    detail = " ".join(str(record.get(k) or "") for k in ("Type", "Details")).strip()
    return [Report(kind, address, None, detail[:300], f"postmark:{record.get('ID')}:{address}")]


class SnsVerifier:
    """Checks SNS signatures; ``fetch`` gets a certificate's PEM bytes by URL."""

    def __init__(self, settings: BouncesConfig, fetch: Callable[[str], bytes]) -> None:
        self.pattern = re.compile(settings.sns_certificate_url)
        self.topics = set(settings.sns_topics)
        self.fetch = fetch
        self._certificates: dict[str, Any] = {}

    def check(self, envelope: Any) -> dict[str, Any]:
        """The envelope when Amazon signed it; WebhookRefused otherwise."""
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        if not isinstance(envelope, dict) or envelope.get("Type") not in _SNS_SIGNED:
            raise WebhookRefused("not an SNS message")
        url = str(envelope.get("SigningCertURL", ""))
        if not self.pattern.match(url):
            raise WebhookRefused(f"certificate URL not accepted: {url!r}")
        if self.topics and envelope.get("TopicArn") not in self.topics:
            raise WebhookRefused(f"topic not accepted: {envelope.get('TopicArn')!r}")
        digest = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(
            str(envelope.get("SignatureVersion")))
        if digest is None:
            raise WebhookRefused("unknown SNS SignatureVersion")
        signed = "".join(f"{name}\n{envelope[name]}\n" for name in _SNS_SIGNED[envelope["Type"]]
                         if envelope.get(name) is not None).encode()
        if url not in self._certificates:
            self._certificates[url] = x509.load_pem_x509_certificate(self.fetch(url))
        key = self._certificates[url].public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise WebhookRefused("the SNS certificate has no RSA key")
        try:
            signature = base64.b64decode(str(envelope.get("Signature", "")), validate=True)
            key.verify(signature, signed, padding.PKCS1v15(), digest)
        except (binascii.Error, InvalidSignature):
            raise WebhookRefused("SNS signature does not match") from None
        return envelope


def ses_reports(envelope: dict[str, Any]) -> list[Report]:
    """The reports in a checked SNS Notification carrying an SES event."""
    try:
        event = json.loads(envelope["Message"])
    except (KeyError, TypeError, ValueError):
        raise WebhookRefused("the SNS message holds no SES event") from None
    if not isinstance(event, dict):
        return []
    kind_of = event.get("notificationType") or event.get("eventType")
    mail_id = str((event.get("mail") or {}).get("messageId", envelope.get("MessageId")))
    reports = []
    if kind_of == "Bounce":
        bounce = event.get("bounce") or {}
        kind: Kind = "hard" if bounce.get("bounceType") == "Permanent" else "soft"
        for recipient in bounce.get("bouncedRecipients") or []:
            address = str(recipient.get("emailAddress", "")).strip().lower()
            detail = " ".join(str(recipient.get(k) or "") for k in ("status", "diagnosticCode"))
            if address:
                reports.append(Report(kind, address, None, detail.strip()[:300] or
                                      f"{bounce.get('bounceType')} bounce",
                                      f"ses:{mail_id}:{address}"))
    elif kind_of == "Complaint":
        complaint = event.get("complaint") or {}
        for recipient in complaint.get("complainedRecipients") or []:
            address = str(recipient.get("emailAddress", "")).strip().lower()
            if address:
                kind_text = complaint.get("complaintFeedbackType") or "abuse"
                reports.append(Report("complaint", address, None, f"complaint ({kind_text})",
                                      f"ses:{mail_id}:{address}:complaint"))
    return reports
