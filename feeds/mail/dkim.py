"""DKIM signatures (RFC 6376) with dkimpy, an optional dependency, from digest.dkim_key."""

from __future__ import annotations

from ..config import Config
from ..errors import FeedsError
from .message import Sender

# Headers DKIM signs: the RFC 6376 list plus List-Unsubscribe-Post, which RFC 8058
# requires to be covered so that one-click unsubscribe cannot be forged onto a message.
DKIM_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"reply-to",
                b"mime-version", b"content-type", b"list-id", b"list-unsubscribe",
                b"list-unsubscribe-post")


class DkimSigner:
    """DKIM-Signature with dkimpy, from the key named by digest.dkim_key."""

    def __init__(self, key: bytes, selector: str, domain: str) -> None:
        self.key, self.selector, self.domain = key, selector.encode(), domain.encode()

    @classmethod
    def from_config(cls, config: Config, sender: Sender) -> DkimSigner | None:
        if not config.digest.dkim_key:
            return None
        path = config.path(config.digest.dkim_key)
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise FeedsError(f"digest.dkim_key: cannot read {path}: {exc.strerror}") from None
        return cls(key, config.digest.dkim_selector, config.digest.dkim_domain or sender.domain)

    def sign(self, raw: bytes) -> bytes:
        import dkim  # type: ignore[import-untyped, unused-ignore]

        try:
            signature = dkim.sign(raw, self.selector, self.domain, self.key,
                                  canonicalize=(b"relaxed", b"relaxed"),
                                  include_headers=list(DKIM_HEADERS))
        except dkim.DKIMException as exc:
            raise FeedsError(f"digest.dkim_key: cannot sign with this key: {exc}") from None
        return signature + raw
