"""The installed version (pyproject.toml's), read from the package metadata on first use:
``hs-extract --help`` does not pay for importlib.metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("hs-extract")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
