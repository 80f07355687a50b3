"""Where files go: a local folder or a bucket, through one ``pyarrow.fs`` code path.

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
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from .. import failpoints
from ..errors import ConfigError, LoadError

__all__ = [
    "BUCKET_SCHEMES",
    "TMP_PREFIX",
    "Location",
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
    return bool(m) and m.group(1).lower() in BUCKET_SCHEMES


def check_bucket_url(url: str, key: str) -> str:
    """The URL, or ConfigError: a known scheme, a bucket, and no credentials in it."""
    m = _SCHEME_RE.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme not in BUCKET_SCHEMES:
        raise ConfigError(
            f"{key}: {url!r} is invalid; allowed: a local folder, or "
            + ", ".join(f"{s}://bucket/prefix" for s in ("s3", "gs", "abfs"))
        )
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


class Location:
    """A folder, on disk or in a bucket: files written whole, listed, read and removed."""

    def __init__(self, path: str | Path) -> None:
        if is_bucket(path):
            self.url = str(path).rstrip("/")
            self.local: Path | None = None
            self._fs: pafs.FileSystem | None = None  # opened on first use: a config parses offline
            self._root = ""
        else:
            self.local = Path(path).expanduser().absolute()
            self.url = str(self.local)
            self._fs, self._root = pafs.LocalFileSystem(), self.local.as_posix()

    def __repr__(self) -> str:
        return f"Location({self.url!r})"

    def _open(self) -> tuple[pafs.FileSystem, str]:
        if self._fs is None:
            url = self.url
            if url.lower().startswith("s3://"):  # a small file goes in one PutObject
                url += ("&" if "?" in url else "?") + "allow_delayed_open=true"
            try:
                self._fs, root = pafs.FileSystem.from_uri(url)
            except (OSError, ValueError, pa.ArrowException) as exc:
                raise LoadError(f"parquet: cannot open {self.url}: {_short(exc)}") from None
            self._root = root.rstrip("/")
        return self._fs, self._root

    def key(self, rel: str) -> str:
        _, root = self._open()
        return f"{root}/{rel}" if rel else root

    def show(self, rel: str) -> str:
        """How a file is named in messages."""
        return f"{self.url}/{rel}"

    # --- writing ----------------------------------------------------------------------------

    def write_bytes(self, rel: str, data: bytes, hook: str | None = None) -> None:
        """Put ``data`` at ``rel`` whole: readers see the old file or the new one, never part
        of one (``hook``: a failpoint hit once the bytes are out but not yet in place)."""
        if self.local is not None:
            target = self.local / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data, hook)
            return
        fs, _ = self._open()
        if hook:
            failpoints.hit(hook)  # the object is made by one upload: nothing to see yet
        self._call(lambda: _upload(fs, self.key(rel), data), f"cannot write {self.show(rel)}")

    def read_bytes(self, rel: str) -> bytes | None:
        """The file's bytes; None when there is none."""
        fs, _ = self._open()
        try:
            with fs.open_input_stream(self.key(rel)) as fh:
                return fh.read()
        except FileNotFoundError:
            return None
        except (OSError, pa.ArrowException) as exc:
            raise LoadError(f"parquet: cannot read {self.show(rel)}: {_short(exc)}") from None

    # --- looking ----------------------------------------------------------------------------

    def files(self, rel: str = "", recursive: bool = True) -> list[str]:
        """Paths (relative to the location) of the files under ``rel``, sorted."""
        fs, root = self._open()
        base = self.key(rel)
        selector = pafs.FileSelector(base, recursive=recursive, allow_not_found=True)
        infos = self._call(lambda: fs.get_file_info(selector), f"cannot list {self.show(rel)}")
        return sorted(i.path[len(root) + 1 :] for i in infos if i.type == pafs.FileType.File)

    def folders(self) -> list[str]:
        """Names of the folders directly under the location."""
        fs, root = self._open()
        selector = pafs.FileSelector(root, recursive=False, allow_not_found=True)
        infos = self._call(lambda: fs.get_file_info(selector), f"cannot list {self.url}")
        return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)

    def exists(self, rel: str) -> bool:
        fs, _ = self._open()
        info = self._call(lambda: fs.get_file_info(self.key(rel)), f"cannot read {self.show(rel)}")
        return info.type != pafs.FileType.NotFound

    # --- removing ---------------------------------------------------------------------------

    def remove(self, rel: str) -> None:
        fs, _ = self._open()
        with contextlib.suppress(FileNotFoundError):
            self._call(lambda: fs.delete_file(self.key(rel)), f"cannot remove {self.show(rel)}")

    def remove_dir(self, rel: str) -> None:
        fs, _ = self._open()
        if self.exists(rel):
            self._call(lambda: fs.delete_dir(self.key(rel)), f"cannot remove {self.show(rel)}")

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        """The pyarrow filesystem and the root path in it (for datasets)."""
        return self._open()

    @staticmethod
    def _call(fn: Callable, what: str):
        try:
            return fn()
        except FileNotFoundError:
            raise
        except (OSError, pa.ArrowException) as exc:
            raise LoadError(f"parquet: {what}: {_short(exc)}") from None


def _upload(fs: pafs.FileSystem, key: str, data: bytes) -> None:
    with fs.open_output_stream(key) as out:
        out.write(data)


def _short(exc: BaseException) -> str:
    """The first line of an Arrow error (they run on with SDK detail)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
