"""A real S3-compatible server for tests: moto's server mode on a free loopback port."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config as BotoConfig
from moto.server import ThreadedMotoServer

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@contextmanager
def s3_server() -> Iterator[str]:
    """Start moto's S3 server on 127.0.0.1 and yield its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(endpoint: str):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=BotoConfig(request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))


def new_bucket(endpoint: str) -> str:
    """A fresh bucket (moto keeps every bucket for the life of the process)."""
    name = f"site-{uuid.uuid4().hex[:12]}"
    client(endpoint).create_bucket(Bucket=name)
    return name


def contents(endpoint: str, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every object in the bucket under the prefix: key (without prefix) -> bytes."""
    s3 = client(endpoint)
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix) for item in page.get("Contents", ())]
    return {key[len(prefix):]: s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            for key in keys}
