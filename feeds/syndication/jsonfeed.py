"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written with the standard library."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .items import FeedItem

VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class JsonFeedMeta:
    title: str
    home_page_url: str
    feed_url: str
    description: str
    language: str
    author: str
    hub: str | None = None  # WebSub


def render(meta: JsonFeedMeta, items: Sequence[FeedItem]) -> bytes:
    """The feed as UTF-8 JSON; keys in a fixed order so rebuilds are byte-identical."""
    feed = {
        "version": VERSION,
        "title": meta.title,
        "home_page_url": meta.home_page_url,
        "feed_url": meta.feed_url,
        "description": meta.description,
        "language": meta.language,
        "authors": [{"name": meta.author}],
        "items": [_item(item) for item in items],
    }
    if meta.hub:
        feed["hubs"] = [{"type": "WebSub", "url": meta.hub}]
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _item(item: FeedItem) -> dict[str, object]:
    out: dict[str, object] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "summary": item.summary,
        # Every item needs content_html or content_text (JSON Feed 1.1).
        **({"content_html": item.content_html} if item.content_html is not None
           else {"content_text": item.summary}),
        "date_published": item.published.isoformat(),
        "tags": [item.section.name],
    }
    if item.updated:
        out["date_modified"] = item.updated.isoformat()
    if item.authors:
        out["authors"] = [{"name": name} for name in item.authors]
    if item.images:
        out["image"] = item.images[0].url  # "the main image for the item"
        out["attachments"] = [{"url": i.url, "mime_type": i.type, "size_in_bytes": i.length,
                               **({"title": i.description} if i.description else {})}
                              for i in item.images]
    return out
