"""An S3-compatible bucket, through boto3: the only module of ``feeds deploy`` that talks
to the network.

Alibaba OSS, Tencent COS, Cloudflare R2, MinIO and Amazon S3 all speak this API. The
checks that matter for deciding what to upload come from the listing alone: a plain
upload's ETag is the MD5 of its bytes. Where a store's ETag is something else
(multipart uploads, some encryption modes), the MD5 we store in each object's
metadata is read with one HEAD request.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .config import DeployConfig
from .errors import FeedsError

MD5_META = "md5"  # x-amz-meta-md5: the hex MD5 of the object's bytes, set by every upload
_PLAIN_ETAG = re.compile(r'^"?([0-9a-fA-F]{32})"?$')
_DELETE_BATCH = 1000  # the most keys DeleteObjects takes


class BucketError(FeedsError):
    """The bucket cannot be reached or refused a request."""


@dataclass(frozen=True)
class RemoteObject:
    path: str  # relative to the prefix
    size: int
    md5: str | None  # lowercase hex; None when neither ETag nor metadata tells


class Bucket:
    """One bucket and key prefix, with the calls a deploy needs."""

    def __init__(self, client: Any, name: str, prefix: str = "") -> None:
        self.client = client
        self.name = name
        self.prefix = prefix

    def listing(self) -> dict[str, RemoteObject]:
        """Every object under the prefix, with its MD5 where the store tells it."""
        found: dict[str, RemoteObject] = {}
        with _asking(f"cannot list s3://{self.name}/{self.prefix}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.name, Prefix=self.prefix)
            for page in pages:
                for item in page.get("Contents", ()):
                    path = item["Key"][len(self.prefix):]
                    plain = _PLAIN_ETAG.match(item.get("ETag", ""))
                    found[path] = RemoteObject(path, item["Size"],
                                               plain.group(1).lower() if plain else None)
            for path in [path for path, stored in found.items() if stored.md5 is None]:
                meta = self.client.head_object(Bucket=self.name, Key=self.prefix + path)
                md5 = meta.get("Metadata", {}).get(MD5_META)
                found[path] = RemoteObject(path, found[path].size, md5.lower() if md5 else None)
        return found

    def put(self, path: str, body: bytes, md5: bytes, content_type: str,
            cache_control: str) -> None:
        """Upload one object. Content-MD5 makes the store check the bytes it received."""
        with _asking(f"cannot upload {path}"):
            self.client.put_object(
                Bucket=self.name, Key=self.prefix + path, Body=body,
                ContentMD5=base64.b64encode(md5).decode(), ContentType=content_type,
                CacheControl=cache_control, Metadata={MD5_META: md5.hex()})

    def delete(self, paths: Iterable[str]) -> None:
        batch = list(paths)
        for start in range(0, len(batch), _DELETE_BATCH):
            keys = [{"Key": self.prefix + p} for p in batch[start:start + _DELETE_BATCH]]
            with _asking("cannot delete"):
                answer = self.client.delete_objects(
                    Bucket=self.name, Delete={"Objects": keys, "Quiet": True})
            if refused := answer.get("Errors"):
                first = refused[0]
                raise BucketError(f"s3://{self.name}/{first.get('Key')}: cannot delete: "
                                  f"{first.get('Message') or first.get('Code')}")


def connect(config: DeployConfig, environ: Mapping[str, str] = os.environ) -> Bucket:
    """A Bucket for [deploy], with credentials from the environment only."""
    import boto3
    from botocore.config import Config as BotoConfig

    if not config.bucket:
        raise BucketError("no bucket to deploy to: set deploy.bucket in feeds.toml")
    access, secret = environ.get(config.access_key_env), environ.get(config.secret_key_env)
    if not access or not secret:
        raise BucketError(f"no credentials: set {config.access_key_env} and "
                          f"{config.secret_key_env} in the environment")
    client = boto3.session.Session().client(
        "s3", endpoint_url=config.endpoint, region_name=config.region,
        aws_access_key_id=access, aws_secret_access_key=secret,
        aws_session_token=environ.get("AWS_SESSION_TOKEN") or None,
        config=BotoConfig(
            s3={"addressing_style": config.addressing},
            retries={"mode": "standard", "max_attempts": 3},
            max_pool_connections=max(10, config.workers),
            # Content-MD5 is our integrity check; the newer default CRC checksums are
            # refused by some S3-compatible stores.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=10, read_timeout=60))
    return Bucket(client, config.bucket, config.prefix)


@contextmanager
def _asking(doing: str) -> Iterator[None]:
    """A BucketError for what boto3 raises about the network or the store; bugs stay bugs."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise BucketError(f"{doing}: {error.get('Code', '?')}: "
                          f"{error.get('Message', exc)}") from None
    except BotoCoreError as exc:
        raise BucketError(f"{doing}: {exc}") from None
