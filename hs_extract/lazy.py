"""Names of a package imported on first use (PEP 562), so that a light import stays light.

``import hs_extract`` or ``hs-extract --help`` must not pay for pandas, pyarrow and SQLAlchemy;
the package ``__init__`` modules list their public names and the module each comes from, and
this imports that module when the name is first asked for. Type checkers read the same names
from an ``if TYPE_CHECKING:`` import beside.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy"]


def lazy(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: ``names`` maps each public name to
    the module (relative to the package) that defines it."""

    def __getattr__(name: str) -> Any:
        where = names.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where, package), name)
        setattr(sys.modules[package], name, value)  # asked once: a plain attribute from now on
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
