"""`feeds deploy` against a real S3-compatible server (moto's server mode on loopback)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SITE_PAGES
from s3_support import CREDENTIALS, client, contents, new_bucket, s3_server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from web_support import serving

from feeds.bucket import connect
from feeds.deploy import DeployError, TooManyDeletes, deploy
from feeds.schedule.jobs import run

NEW_PAGE = """\
    第02版：经济

    ## 开发区再添新企业

    本报讯 3月5日，开发区又有企业落户，企业负责人表示看好城区发展。
    """


@pytest.fixture(scope="module")
def endpoint():
    with s3_server() as url:
        yield url


@pytest.fixture
def site(build_site, endpoint, monkeypatch):
    """Build the test site with [deploy] pointing at a fresh bucket; returns a function
    that (re)builds it, with extra [deploy] keys, and gives the config."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = new_bucket(endpoint)

    def make(files=None, **deploy_keys):
        settings = {"endpoint": endpoint, "bucket": bucket, **deploy_keys}
        build_site(SITE_PAGES if files is None else files, deploy=settings)
        return build_site.config

    make.bucket = bucket
    return make


def published(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*")
            if p.is_file() and not any(part.startswith(".")
                                       for part in p.relative_to(output).parts)}


def recorded(bucket):
    """The requests the deploy's client sends, in order: (method, key or '?delete')."""
    sent: list[tuple[str, str]] = []

    def note(request, **_):
        path = request.url.split("?")[0].split(f"/{bucket.name}/", 1)[-1]
        if request.method == "POST" and "delete" in request.url:
            path = "?delete"
        sent.append((request.method, path))

    bucket.client.meta.events.register("before-send.s3", note)
    return sent


def test_first_deploy_uploads_every_file_with_its_type_and_cache_headers(site, endpoint):
    config = site()
    photo = config.output_path / "photos" / "hall.1f2e3d4c5b6a.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    report = deploy(config, connect(config.deploy))
    local = published(config.output_path)
    assert contents(endpoint, site.bucket) == local
    assert sorted(report.uploaded) == sorted(local)
    s3 = client(endpoint)

    def head(key):
        return s3.head_object(Bucket=site.bucket, Key=key)

    assert head("feeds/all.rss.xml")["ContentType"] == "application/rss+xml; charset=utf-8"
    assert head("feeds/all.atom.xml")["ContentType"] == "application/atom+xml; charset=utf-8"
    assert head("feeds/all.json")["ContentType"] == "application/feed+json; charset=utf-8"
    assert head("feeds/all.rss.xml")["CacheControl"] == "public, max-age=300"
    assert head("index.html")["ContentType"] == "text/html; charset=utf-8"
    assert head("index.html")["CacheControl"] == "public, max-age=60"
    assert head("photos/hall.1f2e3d4c5b6a.jpg")["ContentType"] == "image/jpeg"
    assert head("photos/hall.1f2e3d4c5b6a.jpg")["CacheControl"] == \
        "public, max-age=31536000, immutable"


def test_a_second_deploy_uploads_nothing(site):
    config = site()
    deploy(config, connect(config.deploy))
    bucket = connect(config.deploy)
    sent = recorded(bucket)
    report = deploy(config, bucket)
    assert report.uploaded == [] and report.deleted == []
    assert report.plan.unchanged == len(published(config.output_path))
    assert [method for method, _ in sent if method != "GET"] == []


def test_after_a_new_article_new_files_go_up_first_then_changed_ones(site, endpoint):
    config = site()
    deploy(config, connect(config.deploy))
    before = published(config.output_path)
    config = site({"2024/03/06/a02.txt": NEW_PAGE})
    after = published(config.output_path)
    new = {p for p in after if p not in before}
    changed = {p for p in after if p in before and after[p] != before[p]}
    assert new and changed
    bucket = connect(config.deploy)
    sent = recorded(bucket)
    deploy(config, bucket)
    puts = [key for method, key in sent if method == "PUT"]
    assert set(puts) == new | changed  # nothing unchanged goes up again
    assert max(puts.index(p) for p in new) < min(puts.index(p) for p in changed)
    # a new article page is up before the feeds that link to it
    article = next(p for p in new if p.endswith(".html") and p.count("/") == 3)
    assert puts.index(article) < puts.index("feeds/all.rss.xml")
    assert contents(endpoint, site.bucket) == after


def test_deletes_come_after_every_upload(site, endpoint):
    config = site({"2024/03/06/a02.txt": NEW_PAGE})
    deploy(config, connect(config.deploy))
    (config.content_path / "2024/03/06/a02.txt").unlink()
    config = site()
    bucket = connect(config.deploy)
    sent = recorded(bucket)
    report = deploy(config, bucket)
    assert report.deleted, "the article's page is gone from the build"
    writes = [(method, key) for method, key in sent if method in ("PUT", "POST")]
    assert writes[-1] == ("POST", "?delete")
    assert all(method == "PUT" for method, _ in writes[:-1]) and len(writes) > 1
    assert contents(endpoint, site.bucket) == published(config.output_path)


def test_more_deletes_than_the_cap_change_nothing_unless_allowed(site, endpoint):
    config = site(max_deletes=2)
    s3 = client(endpoint)
    for n in range(3):
        s3.put_object(Bucket=site.bucket, Key=f"old/{n}.html", Body=b"old")
    with pytest.raises(TooManyDeletes, match=r"3 objects.*max_deletes.*--allow-deletes"):
        deploy(config, connect(config.deploy))
    assert set(contents(endpoint, site.bucket)) == {"old/0.html", "old/1.html", "old/2.html"}
    report = deploy(config, connect(config.deploy), allow_deletes=True)
    assert sorted(report.deleted) == ["old/0.html", "old/1.html", "old/2.html"]
    assert contents(endpoint, site.bucket) == published(config.output_path)


def test_objects_outside_the_prefix_are_left_alone(site, endpoint):
    config = site(prefix="/news/")
    client(endpoint).put_object(Bucket=site.bucket, Key="other/keep.html", Body=b"mine")
    deploy(config, connect(config.deploy))
    assert contents(endpoint, site.bucket, "news/") == published(config.output_path)
    assert contents(endpoint, site.bucket, "other/") == {"keep.html": b"mine"}


def test_a_deploy_that_fails_midway_is_finished_by_the_next(site, endpoint):
    config = site()
    deploy(config, connect(config.deploy))
    before = contents(endpoint, site.bucket)
    (config.content_path / "2024/01/30/a01.txt").unlink()
    config = site({"2024/03/06/a02.txt": NEW_PAGE})
    after = published(config.output_path)
    new = [p for p in after if p not in before]
    going = [p for p in before if p not in after]
    assert new and going
    feed, aside = config.output_path / "feeds/all.rss.xml", config.output_path / ".aside"

    def take_feed_away(action, path):  # the changed feed vanishes as the deploy runs
        # Uploads report from several threads at once: the first one takes it away.
        with contextlib.suppress(FileNotFoundError):
            feed.rename(aside)

    with pytest.raises(DeployError, match=r"(?s)all\.rss\.xml.*run it again"):
        deploy(config, connect(config.deploy), progress=take_feed_away)
    stored = contents(endpoint, site.bucket)
    assert all(stored[p] == after[p] for p in new), "new files went up first"
    assert all(p in stored for p in going), "nothing is deleted after a failure"
    aside.rename(feed)
    report = deploy(config, connect(config.deploy))
    assert "feeds/all.rss.xml" in report.uploaded
    assert not set(report.uploaded) & set(new), "what went up is not uploaded again"
    assert contents(endpoint, site.bucket) == published(config.output_path)


def test_the_stored_md5_decides_where_the_etag_is_not_one(site, endpoint):
    """A multipart upload's ETag is no MD5; the md5 metadata every upload sets is read."""
    config = site()
    local = published(config.output_path)
    s3 = client(endpoint)

    def multipart(key, body, metadata):
        upload = s3.create_multipart_upload(Bucket=site.bucket, Key=key, Metadata=metadata)
        part = s3.upload_part(Bucket=site.bucket, Key=key, PartNumber=1, Body=body,
                              UploadId=upload["UploadId"])
        s3.complete_multipart_upload(
            Bucket=site.bucket, Key=key, UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})

    import hashlib

    for path, body in local.items():
        multipart(path, body, {"md5": hashlib.md5(body).hexdigest()})
    assert "-" in s3.head_object(Bucket=site.bucket, Key="index.html")["ETag"]
    multipart("index.html", local["index.html"], {})  # no md5: cannot tell, so upload
    report = deploy(config, connect(config.deploy))
    assert report.uploaded == ["index.html"]


def test_rules_set_headers_before_the_built_in_ones(site, endpoint):
    config = site(rules=[{"pattern": r"^feeds/.*\.json$", "cache_control": "no-cache"},
                         {"pattern": r"\.opml$", "content_type": "text/xml; charset=utf-8"}])
    deploy(config, connect(config.deploy))
    s3 = client(endpoint)
    json_feed = s3.head_object(Bucket=site.bucket, Key="feeds/all.json")
    assert json_feed["CacheControl"] == "no-cache"
    assert json_feed["ContentType"] == "application/feed+json; charset=utf-8"
    opml = s3.head_object(Bucket=site.bucket, Key="feeds/index.opml")
    assert opml["ContentType"] == "text/xml; charset=utf-8"
    assert opml["CacheControl"] == "public, max-age=300"


def test_the_cdn_hears_of_every_changed_url(site, endpoint, tmp_path):
    heard: list[dict] = []

    async def purge(request: Request) -> Response:
        heard.append(await request.json())
        return Response(status_code=204)

    told = tmp_path / "told.txt"
    script = f"import sys; open({str(told)!r}, 'a').write(sys.stdin.read())"
    with serving(Starlette(routes=[Route("/purge", purge, methods=["POST"])])) as base:
        purging = {"purge_url": f"{base}/purge",
                   "purge_command": f"{sys.executable} -c {json.dumps(script)}"}
        config = site(**purging)
        deploy(config, connect(config.deploy))
        first = told.read_text().splitlines()
        told.unlink()
        deploy(config, connect(config.deploy))  # nothing changed: nobody is told
        assert not told.exists() and len(heard) == 1
        config = site({"2024/03/06/a02.txt": NEW_PAGE}, **purging)
        report = deploy(config, connect(config.deploy))
    base_url = "https://news.example.cn/"
    assert {base_url + "index.html", base_url, base_url + "feeds/all.rss.xml"} <= set(first)
    urls = told.read_text().splitlines()
    # a folder's index.html is also asked for as the folder (/, /2024/03/06/)
    folders = {base_url + p.removesuffix("index.html") for p in report.uploaded
               if p == "index.html" or p.endswith("/index.html")}
    assert base_url in folders
    assert set(urls) == {base_url + p for p in report.uploaded} | folders
    assert heard[1]["urls"] == urls
    assert "/feeds/all.rss.xml" in heard[1]["paths"] and "/" in heard[1]["paths"]


def test_run_build_deploys_when_after_build_is_set(site, endpoint):
    config = site(after_build=True)
    assert run("build", config) == 0
    assert contents(endpoint, site.bucket) == published(config.output_path)


def test_the_command_dry_run_lists_the_plan_and_changes_nothing(site, endpoint, tmp_path):
    site()
    config_file = tmp_path / "feeds.toml"
    config_file.write_text(f"""
[site]
base_url = "https://news.example.cn/"
content_dir = "content"
output_dir = "public"
state_dir = "state"

[deploy]
endpoint = "{endpoint}"
bucket = "{site.bucket}"
""", encoding="utf-8")
    env = {**os.environ, **CREDENTIALS}
    feeds = [sys.executable, "-m", "feeds", "--config", str(config_file), "deploy"]
    dry = subprocess.run([*feeds, "--dry-run"], capture_output=True, text=True, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "upload (new) index.html  [text/html; charset=utf-8; public, max-age=60]" in \
        dry.stdout.splitlines()
    assert contents(endpoint, site.bucket) == {}
    done = subprocess.run(feeds, capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "deployed to s3://" in done.stderr
    assert contents(endpoint, site.bucket) == published(tmp_path / "public")
    bare = {k: v for k, v in env.items() if k not in CREDENTIALS}
    refused = subprocess.run(feeds, capture_output=True, text=True, env=bare)
    assert refused.returncode == 1
    assert refused.stderr == ("error: no credentials: set AWS_ACCESS_KEY_ID and "
                              "AWS_SECRET_ACCESS_KEY in the environment\n")


def test_remembered_hashes_never_hide_a_change_and_their_loss_changes_nothing(
        site, endpoint, caplog):
    config = site()
    deploy(config, connect(config.deploy))
    record = config.state_path / "cache" / "deploy-md5.json"
    assert record.is_file()
    page = config.output_path / "index.html"
    text = page.read_bytes()
    page.write_bytes(text.replace(b"<html", b"<HTML", 1))  # same size, other bytes
    assert deploy(config, connect(config.deploy)).uploaded == ["index.html"]
    record.unlink()
    assert deploy(config, connect(config.deploy)).uploaded == []
    record.write_text("{not json", encoding="utf-8")
    page.write_bytes(text)
    assert deploy(config, connect(config.deploy)).uploaded == ["index.html"]
    assert "deploy hash cache is damaged" in caplog.text
    assert contents(endpoint, site.bucket) == published(config.output_path)


def test_nothing_is_deployed_from_an_output_folder_with_no_site(make_config, endpoint,
                                                                monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = new_bucket(endpoint)
    client(endpoint).put_object(Bucket=bucket, Key="index.html", Body=b"published")
    config = make_config(deploy={"endpoint": endpoint, "bucket": bucket, "max_deletes": 1000})
    with pytest.raises(DeployError, match="no built site to deploy; run `feeds build` first"):
        deploy(config, connect(config.deploy))
    assert contents(endpoint, bucket) == {"index.html": b"published"}
