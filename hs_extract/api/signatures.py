"""Writes ``methods.py``: the 32 ``get_*`` methods, typed, from the catalog.

The catalog is the one declaration of every report and its parameters; editors and type
checkers can't read a method attached at run time, so its signatures are written out as code:
one ``TypedDict`` per set of parameters (``Literal`` where the API has a fixed set of values)
and one method per report taking them as keywords (PEP 692). ``tests/test_methods.py`` fails
when the file and the catalog disagree; then run ``python -m hs_extract.api.signatures``
(and ``ruff format``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalog import REPORTS, Kind, Param, ParamType, ReportSpec

__all__ = ["python_type", "render"]

TARGET = Path(__file__).with_name("methods.py")

#: the Python values a parameter takes, by its type (dates as datetime, date or ISO text; lists
#: of ids or of enum values, or one comma-separated string)
TYPES = {
    ParamType.DATETIME: "DateLike",
    ParamType.INT: "int",
    ParamType.INT_LIST: "Sequence[int] | int | str",
    ParamType.BOOL: "bool",
    ParamType.STR_LIST: "Sequence[str] | str",
}


def python_type(p: Param) -> str:
    """The annotation of parameter ``p``."""
    if p.type is ParamType.ENUM:
        return _literal(p.choices)
    if p.type is ParamType.ENUM_LIST:
        return f"Sequence[{_literal(p.choices)}] | str"
    return TYPES[p.type]


def _literal(choices: tuple[str, ...]) -> str:
    return "Literal[" + ", ".join(repr(c) for c in choices) + "]" if choices else "str"


def _class_name(spec: ReportSpec) -> str:
    return "".join(part.title() for part in spec.name.split("_")) + "Params"


def render() -> str:
    """The source of ``methods.py``."""
    groups: dict[tuple[tuple[str, str], ...], str] = {}
    for spec in REPORTS.values():
        key = tuple((p.name, python_type(p)) for p in spec.params)
        groups.setdefault(key, _class_name(spec))
    out = [
        '"""The 32 report methods, typed for editors and type checkers (generated: do not edit).',
        "",
        "Written by ``python -m hs_extract.api.signatures`` from the catalog; "
        "tests/test_methods.py",
        "fails when they disagree. Each method sends one request and returns its parsed JSON;",
        "``help(client.get_company)`` lists the parameters with their meaning.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime as dt",
        "from collections.abc import Sequence",
        "from typing import Any, Literal, TypedDict, Unpack",
        "",
        "from .catalog import ReportSpec",
        "",
        '__all__ = ["DateLike", "ReportMethods"]',
        "",
        "#: a date parameter: a datetime (UTC when naive), a date, or ISO text",
        "DateLike = dt.datetime | dt.date | str",
        "",
    ]
    for key, name in groups.items():
        out += ["", f"class {name}(TypedDict, total=False):"]
        out += [f"    {param}: {annotation}" for param, annotation in key]
        out.append("")
    out += [
        "",
        "class ReportMethods:",
        '    """One method per report (``ApiClient`` sends the requests)."""',
        "",
        "    def fetch(self, report: str | ReportSpec, raw: bool = False, **params: Any) -> Any:",
        "        raise NotImplementedError  # ApiClient.fetch",
    ]
    for spec in REPORTS.values():
        key = tuple((p.name, python_type(p)) for p in spec.params)
        result = "list[dict[str, Any]]" if spec.kind is Kind.LIST else "dict[str, Any]"
        out += [
            "",
            f"    def {spec.method}(self, **params: Unpack[{groups[key]}]) -> {result}:",
            f'        """{spec.title}: one {spec.kind.value} answer (see help())."""',
            f'        return self.fetch("{spec.name}", **params)  # type: ignore[no-any-return]',
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
    print(f"wrote {TARGET}", file=sys.stderr)
