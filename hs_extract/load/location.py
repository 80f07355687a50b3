"""A Parquet destination's place, on disk or in a bucket, through ``pyarrow.fs``: files written
whole, listed, read and removed. Loaded only by the Parquet destination (Arrow is heavy)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from .. import failpoints
from ..errors import LoadError
from .storage import atomic_write_bytes, is_bucket

__all__ = ["Location"]


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
