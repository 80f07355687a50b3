"""A local S3 for tests: moto's server on 127.0.0.1, reached through ``AWS_ENDPOINT_URL``."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

#: what the AWS SDKs (and pyarrow's S3 filesystem) read; a test secret, checked never to leak
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "hs-test-key",
    "AWS_SECRET_ACCESS_KEY": "hs-test-secret-f00dfeed",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@contextmanager
def local_s3() -> Iterator[str]:
    """Start moto's S3 server; the environment points every SDK at it while it runs."""
    server_mod = pytest.importorskip("moto.server", reason="the [s3] test extra (moto) is needed")
    if os.environ.get("CI") == "true":
        import boto3  # noqa: F401  (in CI the [s3] extra must be installed, not skipped)
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's access log, not ours
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in (*S3_ENV, "AWS_ENDPOINT_URL")}
    os.environ.update(S3_ENV, AWS_ENDPOINT_URL=url)
    try:
        yield url
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def new_bucket() -> str:
    import boto3

    name = f"hs-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).create_bucket(Bucket=name)
    return name


def keys(bucket: str, prefix: str = "") -> list[str]:
    import boto3

    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return sorted(out)
