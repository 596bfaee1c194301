"""Site configuration: ``feeds.toml`` read with :mod:`tomllib`, checked with pydantic.

Every mistake is reported at once with its key path (``site.timezone``,
``sections[2].slug``), so a user fixes the file in one pass. Paths in the file
are relative to the file's own folder, so the site builds the same from any
working directory.

The tables are pydantic dataclasses, whose validators pydantic builds once, when
this module is imported, and every command reads and checks the file as it is.
That costs a command 0.1 to 0.15 s (importing pydantic 0.1 s, building the
validators 0.04 s, email_validator 0.02 s when an address is set) and a check
1.5 ms: bench/config.py measures it, bench/README.md has the figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
import string
import tomllib
from dataclasses import field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass
from pydantic_core import ErrorDetails

from . import crontab
from .errors import ConfigError, FeedsError

CONFIG_NAME = "feeds.toml"
RESERVED_SLUG = "all"  # feeds/all.rss.xml is the site-wide feed
# What no section may be named or slugged: these scopes name the whole site's feeds
# (feeds/all.rss.xml, feeds/archive/all/), and a subscriber's "all" means every section.
RESERVED_SCOPES = frozenset({RESERVED_SLUG})
# The fields a feeds.article_url pattern may use (feeds.urls fills them in).
ARTICLE_URL_FIELDS = ("issue_date", "yyyy", "mm", "dd", "slug", "section", "id_hash")
CACHE_FOLDER = "cache"  # under the state directory: disposable caches
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Each TOML table is a frozen pydantic dataclass with this configuration: an unknown
# key is refused, so a misspelt key is an error rather than silently ignored.
TABLE = ConfigDict(extra="forbid")


def is_reserved(name: str) -> bool:
    """Whether a section name or slug would stand for a scope of the whole site."""
    return name.strip().casefold() in RESERVED_SCOPES


def article_url_fields(pattern: str) -> list[str]:
    """Field names a pattern such as ``https://x.cn/{issue_date}/{slug}.html`` uses."""
    return [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as "
                         "Asia/Shanghai)") from None
    return name


def _check_endpoint(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    return url


def _check_base_url(url: str) -> str:
    """A site's root: an endpoint without query or fragment, ending in / so paths append."""
    parts = urlsplit(_check_endpoint(url))
    if parts.query or parts.fragment:
        raise ValueError("must not have a query or fragment")
    return url if url.endswith("/") else url + "/"


def _check_slug(slug: str) -> str:
    if not SLUG_RE.match(slug):
        raise ValueError(f"{slug!r} is not a slug: use lowercase ASCII letters, digits and '-'")
    return slug


def _check_keywords(words: tuple[str, ...]) -> tuple[str, ...]:
    if any(not w.strip() for w in words):
        raise ValueError("keywords must not be empty strings")
    return tuple(w.strip() for w in words)


def _check_networks(items: tuple[str, ...]) -> tuple[str, ...]:
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return items


def _check_pattern(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return pattern


Zone = Annotated[str, AfterValidator(_check_zone)]
Endpoint = Annotated[str, AfterValidator(_check_endpoint)]
BaseURL = Annotated[str, AfterValidator(_check_base_url)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Keywords = Annotated[tuple[str, ...], AfterValidator(_check_keywords)]
Networks = Annotated[tuple[str, ...], AfterValidator(_check_networks)]
Pattern = Annotated[str, AfterValidator(_check_pattern)]
Port = Annotated[int, Field(ge=1, le=65535)]
Seconds = Annotated[float, Field(gt=0, le=600)]
Retries = Annotated[int, Field(ge=0, le=10)]


@dataclass(frozen=True, config=TABLE)
class SiteConfig:
    title: str = "新闻"
    description: str = ""
    base_url: BaseURL = "http://localhost:8000/"
    language: str = "zh-CN"
    timezone: Zone = "Asia/Shanghai"
    content_dir: str = "content"
    output_dir: str = "public"
    state_dir: str = ".feeds"
    templates_dir: str = "templates"
    # A page's section comes from its folder name when no header or front matter names one.
    folder_sections: bool = False
    default_section: str = "要闻"
    # Keyword rules move an article only when its score reaches this (headline hits count 3).
    min_keyword_score: Annotated[int, Field(ge=1)] = 2
    # A build that would withdraw more published articles than both of these (an empty or
    # wrong content folder, say) changes nothing unless run with --allow-removals.
    max_removals: Annotated[int, Field(ge=0)] = 50
    max_removal_share: Annotated[float, Field(ge=0, le=1)] = 0.10

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"


@dataclass(frozen=True, config=TABLE)
class SectionConfig:
    name: str
    slug: Slug
    keywords: Keywords = ()
    order: int | None = None


def _check_article_url(pattern: str) -> str:
    try:
        fields = article_url_fields(pattern)
    except ValueError as exc:
        raise ValueError(f"{pattern!r} is not a valid pattern: {exc}") from None
    unknown = [f for f in fields if f not in ARTICLE_URL_FIELDS]
    if unknown:
        raise ValueError(f"unknown field {{{unknown[0]}}}; use "
                         + ", ".join(f"{{{f}}}" for f in ARTICLE_URL_FIELDS))
    if "slug" not in fields and "id_hash" not in fields:
        raise ValueError("must contain {slug} or {id_hash}, or articles would share a URL")
    _check_base_url(pattern.split("{", 1)[0] or "x")
    return pattern


def _check_clock(value: str) -> str:
    parse_clock(value)
    return value


ArticleURL = Annotated[str, AfterValidator(_check_article_url)]
Clock = Annotated[str, AfterValidator(_check_clock)]


@dataclass(frozen=True, config=TABLE)
class FeedsConfig:
    limit: Annotated[int, Field(ge=1, le=10_000)] = 50  # items in each subscription feed
    # Time of day given to entries whose page has only a date; each article one second
    # less per article printed before it that day, so readers sorting by time keep the
    # printed order, lead first (feeds.timeline).
    press_time: Clock = "06:00"
    # Publish article pages elsewhere: links point at this pattern and no pages are made.
    article_url: ArticleURL | None = None
    # "full": items carry the whole article; "summary": only its lead paragraph, so
    # readers come to the site for the rest.
    content: Literal["full", "summary"] = "full"
    # An XSL stylesheet that styles a feed opened in a browser that still runs XSLT
    # (Chrome removes XSLT; the subscribe page feeds/index.html is for people).
    stylesheet: bool = True
    # RFC 5005 monthly archive documents, so readers can page back through history.
    archives: bool = True
    # A WebSub hub (https://www.w3.org/TR/websub/): feeds name it, and every build tells
    # it which feeds changed, so readers that subscribe there get news within seconds.
    websub_hub: Endpoint | None = None

    @property
    def press_clock(self) -> dt.time:
        return parse_clock(self.press_time)


def _check_address(address: str | None) -> str | None:
    if address is None:
        return None
    # Imported only when an address is set: 50 ms (-X importtime), and most commands,
    # `feeds build` among them, read a feeds.toml with none.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{address!r} is not an email address: {exc}") from None


def _check_env_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"{name!r} is not an environment variable name")
    return name


Address = Annotated[str | None, AfterValidator(_check_address)]
EnvName = Annotated[str, AfterValidator(_check_env_name)]


@dataclass(frozen=True, config=TABLE)
class DigestConfig:
    """[digest]: what goes into the email digest and who it says it is from."""

    # An edition holds entries issued at most this many days before the newest entry's
    # issue date: counted from the content, not the clock, so an old page still makes a
    # digest and an imported archive never mails years of history.
    look_back_days: Annotated[int, Field(ge=1, le=3660)] = 7
    database: str | None = None  # SQLite state; default <state_dir>/feeds.sqlite
    from_address: Address = None  # default digest@<site domain>
    from_name: str | None = None  # default site.title
    reply_to: Address = None
    # Where List-Unsubscribe's mailto: points; default from_address.
    unsubscribe_address: Address = None
    list_id: str | None = None  # default digest.<site domain>
    # Gmail clips messages at about 102 KB: above this, sections are cut to their top
    # entries with a link to the rest on the web.
    max_html_bytes: Annotated[int, Field(ge=20_000, le=10_000_000)] = 90_000
    # Attempts per subscriber over all runs before a temporary failure counts as final.
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    dkim_key: str | None = None  # PEM private key file; signing is off without one
    dkim_selector: str = "feeds"
    dkim_domain: str | None = None  # default: the domain of from_address


@dataclass(frozen=True, config=TABLE)
class SmtpConfig:
    host: str = "localhost"
    port: Port | None = None  # default by security
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: EnvName = "FEEDS_SMTP_PASSWORD"  # the password is read from here
    rate: Annotated[float, Field(ge=0)] = 0  # messages per second; 0: as fast as it goes
    timeout: Seconds = 30
    retries: Retries = 3  # for 4xx replies and dropped links
    # Connections used at once, each reused for many messages; ask your provider's limit.
    connections: Annotated[int, Field(ge=1, le=32)] = 1

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


@dataclass(frozen=True, config=TABLE)
class HttpConfig:
    endpoint: Endpoint | None = None  # e.g. https://api.postmarkapp.com/email/batch
    token_env: EnvName = "FEEDS_HTTP_TOKEN"
    token_header: str = "X-Postmark-Server-Token"
    message_stream: str | None = "broadcast"
    batch_size: Annotated[int, Field(ge=1, le=500)] = 500
    timeout: Seconds = 30
    retries: Retries = 3


@dataclass(frozen=True, config=TABLE)
class DeliveryConfig:
    """[delivery]: how digests leave. outbox writes a Maildir folder and needs no server."""

    method: Literal["outbox", "smtp", "http"] = "outbox"
    outbox: str = "outbox"
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    http: HttpConfig = field(default_factory=HttpConfig)


@dataclass(frozen=True, config=TABLE)
class WebConfig:
    """[web]: what `feeds serve` offers besides the built site."""

    # A sign-up form on the home page, and POST /subscribe with double opt-in. Off by
    # default, since a site served by a plain static server has nowhere to post it.
    signup: bool = False
    # Sign-ups per client address: an office or a school behind one address must be
    # able to sign up everyone. Only well-formed requests count.
    signups_per_hour: Annotated[int, Field(ge=1, le=100_000)] = 60
    signups_per_day: Annotated[int, Field(ge=1, le=1_000_000)] = 300
    # Confirmation and notice emails per recipient, whoever asks: the form cannot be
    # used to flood one mailbox.
    mails_per_hour: Annotated[int, Field(ge=1, le=100)] = 1
    mails_per_day: Annotated[int, Field(ge=1, le=1000)] = 3
    # Addresses (or networks, 10.0.0.0/8) of reverse proxies whose X-Forwarded-For is
    # believed; from anyone else the client address is the socket's.
    trusted_proxies: Networks = ()
    host: str = "127.0.0.1"  # where `feeds serve` listens; nginx in front forwards to it
    port: Port = 8000
    # A log of every request in common log format (the one nginx and Apache write), for
    # log analysers and fail2ban; none when unset. --access-log overrides it.
    access_log: str | None = None


@dataclass(frozen=True, config=TABLE)
class BouncesConfig:
    """[bounces]: where bounces and complaints come back, and what they do."""

    # The envelope sender of every copy; with verp, bounces+<tag>@domain names the reader
    # (the mail server must deliver address+anything to this mailbox, as Postfix's
    # recipient_delimiter = "+" does). Default: bounces@<domain of digest.from_address>.
    address: Address = None
    verp: bool = True
    maildir: str | None = None  # a Maildir folder the bounce address is delivered into
    imap_host: str | None = None  # or read it over IMAP
    imap_port: Port | None = None  # default by security
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    imap_username: str | None = None
    imap_password_env: EnvName = "FEEDS_IMAP_PASSWORD"
    imap_folder: str = "INBOX"
    # Soft bounces (mailbox full, greylisting that never cleared) suppress an address
    # once this many arrive within the window.
    soft_limit: Annotated[int, Field(ge=1, le=100)] = 3
    soft_window_days: Annotated[int, Field(ge=1, le=365)] = 30
    # Webhooks of HTTP email APIs on `feeds serve`: Postmark's carry this secret as
    # the password of HTTP basic auth; SES's come through SNS, signed by Amazon with a
    # certificate fetched only from a URL matching sns_certificate_url.
    webhook_secret_env: EnvName = "FEEDS_WEBHOOK_SECRET"
    sns_certificate_url: Pattern = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[^?#]*\.pem$"
    sns_topics: tuple[str, ...] = ()  # accepted TopicArns; empty: any topic

    @property
    def effective_imap_port(self) -> int:
        return self.imap_port or {"ssl": 993, "starttls": 143, "none": 143}[self.imap_security]


def _check_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    return prefix + "/" if prefix else ""


Prefix = Annotated[str, AfterValidator(_check_prefix)]


@dataclass(frozen=True, config=TABLE)
class DeployRule:
    """[[deploy.rules]]: headers for the files whose path (relative to the output folder,
    with /) the regular expression ``pattern`` matches; the first matching rule wins,
    and files no rule matches get the built-in headers (feeds.media)."""

    pattern: Pattern
    cache_control: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, config=TABLE)
class DeployConfig:
    """[deploy]: `feeds deploy` copies the output folder to an S3-compatible bucket."""

    bucket: str | None = None  # required to deploy
    # The S3 API's address: e.g. https://oss-cn-hangzhou.aliyuncs.com, https://
    # cos.ap-guangzhou.myqcloud.com, https://<account>.r2.cloudflarestorage.com, a MinIO
    # server. Unset: Amazon S3 itself.
    endpoint: Endpoint | None = None
    region: str = "us-east-1"
    prefix: Prefix = ""  # keys start with it: "news" puts index.html at news/index.html
    # "virtual" (bucket.host/key) for Alibaba OSS and Tencent COS, "path" (host/bucket/key)
    # for MinIO; "auto" lets botocore choose.
    addressing: Literal["auto", "path", "virtual"] = "auto"
    # Credentials come only from these environment variables (and AWS_SESSION_TOKEN).
    access_key_env: EnvName = "AWS_ACCESS_KEY_ID"
    secret_key_env: EnvName = "AWS_SECRET_ACCESS_KEY"
    # A deploy that would delete more objects than this stops before changing anything,
    # unless --allow-deletes is given: a wrong prefix or an empty output folder would
    # otherwise empty the bucket.
    max_deletes: Annotated[int, Field(ge=0)] = 256
    workers: Annotated[int, Field(ge=1, le=64)] = 8  # uploads at once
    rules: tuple[DeployRule, ...] = ()
    # Told what changed after a deploy that changed something, so a CDN drops its
    # copies: the command gets the changed URLs on stdin, one a line; the URL gets a
    # POST of {"urls": [...], "paths": [...]} as JSON.
    purge_command: str | None = None
    purge_url: Endpoint | None = None
    # `feeds run build` (and so the scheduler) deploys after every successful build.
    after_build: bool = False


def _check_cron(expression: str) -> str:
    if expression.strip():
        crontab.parse(expression)  # raises CronError (a ValueError) naming the field
    return expression.strip()


CronText = Annotated[str, AfterValidator(_check_cron)]


@dataclass(frozen=True, config=TABLE)
class ScheduleConfig:
    """[schedule]: when each job runs, as 5-field cron in site.timezone ("" turns it off)."""

    build: CronText = "*/15 * * * *"
    digest: CronText = "0 7 * * *"
    # A run missed while the scheduler was down starts once at start-up if its time is
    # at most this long ago; older ones are skipped.
    misfire_grace_seconds: Annotated[int, Field(ge=1, le=7 * 86400)] = 3600
    lock_dir: str | None = None  # default <state_dir>/locks


@dataclass(frozen=True, config=TABLE)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    sections: tuple[SectionConfig, ...] = ()
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    web: WebConfig = field(default_factory=WebConfig)
    bounces: BouncesConfig = field(default_factory=BouncesConfig)
    deploy: DeployConfig = field(default_factory=DeployConfig)
    # Where the file was read from; relative paths in it are resolved against its folder.
    root: str = "."

    def path(self, value: str) -> Path:
        """A path from the configuration, resolved against the config file's folder."""
        return (Path(self.root) / value).resolve()

    @property
    def content_path(self) -> Path:
        return self.path(self.site.content_dir)

    @property
    def output_path(self) -> Path:
        return self.path(self.site.output_dir)

    @property
    def state_path(self) -> Path:
        return self.path(self.site.state_dir)

    @property
    def cache_path(self) -> Path:
        """Disposable caches: deleting this folder never changes any output."""
        return self.state_path / CACHE_FOLDER


# Built once, here: every command validates its feeds.toml with it.
_CONFIG = TypeAdapter(Config)


def find_config(start: Path | None = None) -> Path | None:
    """``feeds.toml`` in ``start`` (default: the working directory) or the nearest folder
    above it, as git and ruff find theirs: any command works from a project's subfolder."""
    folder = (start or Path.cwd()).resolve()
    return next((found for candidate in (folder, *folder.parents)
                 if (found := candidate / CONFIG_NAME).is_file()), None)


class ProjectNotFound(FeedsError):
    """No ``feeds.toml`` in the working directory or above it, and a command that keeps
    state needs one: defaults there would start a second, empty state."""

    exit_code = 2

    def __init__(self, start: Path) -> None:
        super().__init__(f"no {CONFIG_NAME} in {start} or any folder above it; run feeds in "
                         "your project's folder, pass --config PATH, or start a project here "
                         f"with `touch {CONFIG_NAME}` (an empty file means the defaults)")


def load_config(path: Path | None = None, *, required: bool = False,
                state_dir: Path | None = None) -> Config:
    """Read and check ``feeds.toml``.

    With no path, the nearest ``feeds.toml`` (:func:`find_config`) is used; when there
    is none, ``required`` raises ProjectNotFound, and otherwise the defaults apply,
    relative to the working directory. ``state_dir`` replaces ``site.state_dir`` (the
    --state option): every piece of state then lives there.
    """
    if path is None:
        path = find_config()
        if path is None:
            if required:
                raise ProjectNotFound(Path.cwd())
            return _with_state(parse_config({}, root=Path.cwd()), state_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problem = f"file not found (pass --config PATH or create {CONFIG_NAME})"
        raise ConfigError(path, [("", problem)]) from None
    except OSError as exc:
        raise ConfigError(path, [("", f"cannot read: {exc.strerror}")]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(path, [("", "not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [("", f"not valid TOML: {exc}")]) from None
    return _with_state(parse_config(data, root=path.resolve().parent, path=path), state_dir)


def _with_state(config: Config, state_dir: Path | None) -> Config:
    """--state: the state directory, with the locks and the database in it whatever
    schedule.lock_dir and digest.database say, so nothing is written anywhere else."""
    if state_dir is None:
        return config
    return dataclasses.replace(
        config, site=dataclasses.replace(config.site, state_dir=str(state_dir.resolve())),
        schedule=dataclasses.replace(config.schedule, lock_dir=None),
        digest=dataclasses.replace(config.digest, database=None))


def parse_config(data: dict[str, Any], *, root: Path, path: Path | None = None) -> Config:
    """Check a configuration mapping; raise ConfigError listing every problem."""
    try:
        config = _CONFIG.validate_python({**data, "root": str(root)})
    except ValidationError as exc:
        problems = [(_key_path(e["loc"]), _message(e)) for e in exc.errors()]
        raise ConfigError(path, problems) from None
    problems = _cross_checks(config)
    if problems:
        raise ConfigError(path, problems)
    return config


def _cross_checks(config: Config) -> list[tuple[str, str]]:
    problems = []
    seen: dict[str, dict[str, int]] = {"name": {}, "slug": {}}
    for i, section in enumerate(config.sections):
        key = _key_path(("sections", i))
        for field_name, earlier in seen.items():
            value = getattr(section, field_name)
            if is_reserved(value):
                problems.append((f"{key}.{field_name}", f"{value!r} names the site-wide feeds; "
                                                        f"choose another {field_name}"))
            if value in earlier:
                other = _key_path(("sections", earlier[value]))
                problems.append((f"{key}.{field_name}",
                                 f"{value!r} is also the {field_name} of {other}"))
            earlier.setdefault(value, i)
    if config.delivery.method == "http" and not config.delivery.http.endpoint:
        problems.append(("delivery.http.endpoint", "required when delivery.method is 'http'"))
    if config.deploy.after_build and not config.deploy.bucket:
        problems.append(("deploy.bucket", "required when deploy.after_build is true"))
    return problems


def _key_path(loc: tuple[int | str, ...]) -> str:
    """('sections', 0, 'slug') → 'sections[1].slug': counted from 1, as a reader counts
    the [[sections]] tables in the file."""
    return "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}"
                   for part in loc).removeprefix(".")


# pydantic's error types whose wording TOML's terms (table, array) say better.
_TOML_WORDS = {"extra_forbidden": "unknown key (check its spelling)",
               "unexpected_keyword_argument": "unknown key (check its spelling)",
               "missing": "required", "dataclass_type": "should be a table",
               "tuple_type": "should be an array"}


def _message(error: ErrorDetails) -> str:
    """pydantic's wording, in TOML's terms where they differ, and our own checks'
    messages without pydantic's "Value error, " before them."""
    return _TOML_WORDS.get(error["type"]) or error["msg"].removeprefix("Value error, ")


def parse_clock(value: str) -> dt.time:
    """'06:00' → time(6, 0); used for configured times of day."""
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a time of day like 06:00") from None
