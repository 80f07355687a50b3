"""The 32 ``get_*`` methods are typed for editors and type checkers (api/methods.py, generated
from the catalog), and this holds them equal to the catalog: parameters, their types
(``Literal`` where the API has a fixed set), the return type."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
import typing

from hs_extract.api import methods
from hs_extract.api.catalog import REPORTS, Kind, ParamType, ReportSpec
from hs_extract.api.signatures import python_type, render


def params_class(method) -> type:
    """The TypedDict a method's ``**params: Unpack[…]`` names."""
    name = method.__annotations__["params"].removeprefix("Unpack[").removesuffix("]")
    return getattr(methods, name)


def annotations(cls: type) -> dict[str, str]:
    """A TypedDict's annotations as written (its forward references read back as text)."""
    return {
        k: v.__forward_arg__ if isinstance(v, typing.ForwardRef) else v
        for k, v in cls.__annotations__.items()
    }


def disagreements(specs: typing.Iterable[ReportSpec]) -> list[str]:
    out = []
    for spec in specs:
        method = methods.ReportMethods.__dict__.get(spec.method)
        if method is None:
            out.append(f"{spec.method}: missing")
            continue
        declared = annotations(params_class(method))
        wanted = {p.name: python_type(p) for p in spec.params}
        if declared != wanted:
            out.append(f"{spec.method}: {declared} != {wanted}")
        result = "list[dict[str, Any]]" if spec.kind is Kind.LIST else "dict[str, Any]"
        if method.__annotations__.get("return") != result:
            out.append(f"{spec.method}: returns {method.__annotations__.get('return')}")
    extra = {n for n in methods.ReportMethods.__dict__ if n.startswith("get_")}
    extra -= {s.method for s in specs}
    out += [f"{n}: not a report of the catalog" for n in sorted(extra)]
    return out


def test_every_method_is_the_catalogs():
    assert disagreements(REPORTS.values()) == []
    assert len([n for n in vars(methods.ReportMethods) if n.startswith("get_")]) == 32


def test_a_catalog_change_is_caught():
    spec = REPORTS["company"]
    since = dataclasses.replace(spec.params[0], name="since", type=ParamType.BOOL)
    changed = dataclasses.replace(spec, params=(*spec.params, since))
    found = disagreements([changed, *[s for s in REPORTS.values() if s is not spec]])
    assert (
        len(found) == 1 and found[0].startswith("get_company: ") and "'since': 'bool'" in found[0]
    )


def test_enums_are_literals_and_the_file_is_what_the_generator_writes(tmp_path):
    drill = params_class(methods.ReportMethods.get_conversations_drilldown_by_field)
    assert annotations(drill)["field"].startswith("Literal[")
    out = tmp_path / "methods.py"
    out.write_text(render())
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(out)], check=True)
    assert out.read_text() == inspect.getsource(methods)


def test_a_type_checker_sees_the_methods(tmp_path):
    code = tmp_path / "use.py"
    code.write_text(
        "from hs_extract import ReportsClient\n"
        "c = ReportsClient('id', 'secret')\n"
        "ok: dict = c.get_company(start_date='2025-01-01', types=['email'])\n"
        "c.get_company(types=['fax'])\n"
        "c.get_company(bogus=1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", str(code)],
        capture_output=True,
        text=True,
    )
    errors = [ln for ln in done.stdout.splitlines() if ": error:" in ln]
    assert [ln.split(": error:")[0].rsplit(":", 1)[1] for ln in errors] == ["4", "5"], done.stdout
