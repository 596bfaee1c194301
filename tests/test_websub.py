"""WebSub: feeds name the hub, and builds ping a real local hub for feeds that changed."""

import json
import socket
import subprocess
import sys
import threading
from importlib import metadata
from urllib.parse import parse_qs

import feedparser
import pytest
from conftest import DEMO_PAGE, SITE_PAGES
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from web_support import serving

from feeds import websub

ATOM = "{http://www.w3.org/2005/Atom}"


class Hub:
    """A hub that records pings; answers with the queued statuses, then 204."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.agents: list[str] = []
        self.statuses: list[int] = []
        self.hold = threading.Event()
        self.slow = False

    async def publish(self, request: Request) -> Response:
        if self.slow:
            import anyio
            await anyio.to_thread.run_sync(self.hold.wait, 5)
        self.pings.append(parse_qs((await request.body()).decode()))
        self.agents.append(request.headers.get("user-agent", ""))
        return Response(status_code=self.statuses.pop(0) if self.statuses else 204)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/publish", self.publish, methods=["POST"])])


@pytest.fixture
def hub():
    recorder = Hub()
    with serving(recorder.app()) as base:
        recorder.url = base + "/publish"
        yield recorder
        recorder.hold.set()


def test_feeds_name_the_hub_and_themselves(build_site, hub):
    _, public = build_site(SITE_PAGES, feeds={"websub_hub": hub.url})
    rss = etree.parse(str(public / "feeds" / "all.rss.xml")).getroot().find("channel")
    assert rss.find(f"{ATOM}link[@rel='hub']").get("href") == hub.url
    assert rss.find(f"{ATOM}link[@rel='self']").get("href") == "https://news.example.cn/feeds/all.rss.xml"
    atom = feedparser.parse(public / "feeds" / "economy.atom.xml")
    assert {(link.rel, link.href) for link in atom.feed.links} >= {
        ("hub", hub.url), ("self", "https://news.example.cn/feeds/economy.atom.xml")}
    assert json.loads((public / "feeds" / "all.json").read_bytes())["hubs"] == [
        {"type": "WebSub", "url": hub.url}]


def test_a_build_pings_the_hub_for_each_changed_feed_and_only_those(build_site, hub, tmp_path):
    result, _ = build_site(SITE_PAGES, feeds={"websub_hub": hub.url})
    assert result.ping_failures == []
    pinged = sorted(p["hub.url"][0] for p in hub.pings)
    assert all(p["hub.mode"] == ["publish"] for p in hub.pings)
    assert "https://news.example.cn/feeds/all.rss.xml" in pinged
    assert "https://news.example.cn/feeds/economy.json" in pinged
    assert not any("/archive/" in url or url.endswith(".opml") for url in pinged)
    hub.pings.clear()
    build_site(feeds={"websub_hub": hub.url})
    assert hub.pings == []  # nothing changed: nothing to tell
    (tmp_path / "content" / "2024/02/03.txt").write_text(
        "## 城区企业新春招聘会举行\n\n本报讯 2月3日，城区企业举行招聘会。\n", encoding="utf-8")
    build_site(feeds={"websub_hub": hub.url})
    pinged = {p["hub.url"][0].rsplit("/", 1)[1] for p in hub.pings}
    assert pinged == {"all.rss.xml", "all.atom.xml", "all.json",
                      "economy.rss.xml", "economy.atom.xml", "economy.json"}


def test_a_failing_hub_is_retried(hub):
    hub.statuses = [503, 502]
    waits: list[float] = []
    failures = websub.publish(hub.url, ["https://news.example.cn/feeds/all.rss.xml"],
                              pause=waits.append)
    assert failures == [] and len(hub.pings) == 3 and waits == [0.5, 1.0]


def test_pings_name_feeds_and_its_installed_version(hub):
    assert websub.publish(hub.url, ["https://news.example.cn/feeds/all.rss.xml"]) == []
    assert hub.agents == [f"feeds/{metadata.version('feeds')}"]


def test_a_hub_that_refuses_is_not_asked_again(hub):
    hub.statuses = [400]
    (failure,) = websub.publish(hub.url, ["https://news.example.cn/feeds/all.rss.xml"],
                                pause=lambda s: None)
    assert failure.reason == "hub answered 400" and len(hub.pings) == 1


def test_a_slow_hub_times_out_and_is_reported_once_for_all_feeds(hub):
    hub.slow = True
    feeds = ["https://news.example.cn/feeds/all.rss.xml", "https://news.example.cn/feeds/all.json"]
    failures = websub.publish(hub.url, feeds, retries=0, timeout=0.2)
    assert [f.feed_url for f in failures] == feeds
    assert all("Timeout" in f.reason for f in failures)


def test_a_hub_that_is_down_never_fails_the_build(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/publish"  # nothing listens
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    (tmp_path / "feeds.toml").write_text(f'[feeds]\nwebsub_hub = "{dead}"\n')
    done = subprocess.run([sys.executable, "-m", "feeds", "build"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "warning: WebSub hub was not told about http://localhost:8000/feeds/all.rss.xml" in done.stderr
    assert (tmp_path / "public" / "feeds" / "all.rss.xml").is_file()
