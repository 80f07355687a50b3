"""Where files go: a local folder or a bucket (the bucket through ``pyarrow.fs``: location.py).

These helpers are light (no Arrow): URLs checked, files written atomically, folders probed.
``s3://bucket/prefix``, ``gs://…`` and ``abfs://…`` open with ``pyarrow.fs.FileSystem.from_uri``,
which takes credentials from each cloud's standard chain (environment, profile, instance role)
and ``AWS_ENDPOINT_URL`` for S3-compatible stores. A local path is the same code on
``LocalFileSystem``; only how a file becomes durable differs:

- on disk, a hidden temporary file is fsynced and renamed over the final name;
- in a bucket, the whole file goes to its final key in one upload: an object store makes an
  object visible only once its upload completes, so readers never see part of one, and a
  process killed while uploading leaves nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path

from .. import failpoints
from ..errors import ConfigError, LoadError

__all__ = [
    "BUCKET_SCHEMES",
    "TMP_PREFIX",
    "atomic_write_bytes",
    "check_bucket_url",
    "fsync_dir",
    "is_bucket",
    "probe_folder",
]

#: URL schemes of object stores (pyarrow.fs opens them all)
BUCKET_SCHEMES = ("s3", "gs", "gcs", "abfs", "abfss")
TMP_PREFIX = ".tmp-"
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_bucket(path: str | Path) -> bool:
    """Whether ``path`` names an object store (``s3://…``) rather than a local folder."""
    m = _SCHEME_RE.match(str(path))
    return m is not None and m.group(1).lower() in BUCKET_SCHEMES


def check_bucket_url(url: str, key: str) -> str:
    """The URL, or ConfigError: a known scheme, a bucket, and no credentials in it."""
    m = _SCHEME_RE.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme not in BUCKET_SCHEMES:
        raise ConfigError(
            f"{key}: {url!r} is invalid; allowed: a local folder, or "
            + ", ".join(f"{s}://bucket/prefix" for s in ("s3", "gs", "abfs"))
        )
    assert m is not None  # a known scheme matched
    rest, _, query = url[m.end() :].partition("?")
    netloc = rest.split("/", 1)[0]
    userinfo = netloc.rpartition("@")[0]  # abfs://container@account… names a container there
    secret_words = ("key", "secret", "token", "password", "credential")
    if (
        ":" in userinfo
        or (userinfo and scheme not in ("abfs", "abfss"))
        or any(w in query.lower() for w in secret_words)
    ):
        raise ConfigError(
            f"{key}: the URL carries credentials; remove them: they come from the cloud's "
            "standard chain (environment, profile, instance role), never from the config"
        )
    if not netloc or netloc.endswith("@"):
        raise ConfigError(f"{key}: {url!r} names no bucket; allowed: {scheme}://bucket/prefix")
    return url.rstrip("/")


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be opened
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, hook: str | None = None, mode: int = 0o666) -> None:
    """Write ``data`` to the local ``path`` via a fsynced temporary file and a rename
    (``hook``: a failpoint hit once the temporary file is written; ``mode``: the file's
    permissions before the umask). A failed write leaves no temporary file behind."""
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if hook:
            failpoints.hit(hook)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def probe_folder(path: Path, what: str, key: str, create: bool = True) -> str:
    """Check a file can be created in ``path`` and removed again (``create``: make the folder
    first; else a folder not made yet is probed at its nearest existing parent, where the
    first run makes it). What was found; LoadError naming the config ``key`` if unwritable."""
    target = Path(path)
    try:
        if create:
            target.mkdir(parents=True, exist_ok=True)
        while not target.exists():
            target = target.parent
        probe = target / f"{TMP_PREFIX}probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise LoadError(
            f"{what}: cannot write to {path}: {exc.strerror}; choose a writable {key}"
        ) from None
    if target == Path(path):
        return f"{path} is writable (a file was created and removed)"
    return f"{path} does not exist yet; {target} is writable (the first run creates it)"
