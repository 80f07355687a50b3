"""Normalizers against the simulator's payloads, an independent oracle, and random mutations."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hs_extract import REPORTS, NormalizeError
from hs_extract.api.catalog import Kind
from hs_extract.normalize import RequestMeta, Sink, main_table, normalize
from hs_extract.normalize.docs import render
from hs_extract.simulator import Simulator

CUTOFF = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
GEM = json.loads((Path(__file__).parent / "fixtures/gem_payloads.json").read_text())
GEM = {**GEM["payloads"], **GEM["reference_payloads"]}


def params_for(spec) -> dict:
    params = {"start_date": "2026-10-05", "end_date": "2026-10-09"}
    if spec.has_previous:
        params.update(previous_start_date="2026-10-01", previous_end_date="2026-10-05")
    if spec.accepts("user"):
        params["user"] = 900001
    if spec.accepts("field"):
        params.update(field="customerid", field_id=2000001)
    return params


@pytest.fixture(scope="module")
def payloads():
    with Simulator(seed=11, cutoff=CUTOFF, rate_limit=100_000) as sim:
        client = sim.client()
        yield {
            name: (params_for(spec), list(client.iter_pages(spec, **params_for(spec))))
            for name, spec in REPORTS.items()
        }


#: the columns that are not the key's snake_case (collisions, run-together keys)
RENAMED = {
    "status": "conversation_status",
    "mailboxid": "mailbox_id",
    "assignedid": "assigned_id",
    "threadid": "thread_id",
}


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def naive_flatten(obj: dict, prefix: str = "") -> dict:
    """The oracle: a plain recursive flatten of scalars, nothing clever."""
    out = {}
    for k, v in obj.items():
        name = prefix + snake(k)
        if isinstance(v, dict):
            out.update(naive_flatten(v, name + "__"))
        elif not isinstance(v, list):
            out[name] = v
    return out


def same(actual, expected) -> bool:
    if isinstance(actual, dt.datetime):
        return actual == dt.datetime.fromisoformat(expected.replace("Z", "+00:00"))
    if isinstance(actual, float) and expected is not None:
        return actual == pytest.approx(float(expected))
    return actual == expected or (actual is not None and str(actual) == str(expected))


def check_rows(table_rows: list[dict], objects: list[dict], rename=None):
    assert len(table_rows) == len(objects)
    rename = rename or {}
    for row, obj in zip(table_rows, objects, strict=True):
        for key, value in naive_flatten(obj).items():
            column = rename.get(key, key)
            assert column in row, column
            assert same(row[column], value), (column, row[column], value)


@pytest.mark.parametrize("report", list(REPORTS))
def test_simulator_payloads_match_a_naive_flatten(report, payloads):
    spec = REPORTS[report]
    params, pages = payloads[report]
    sink = Sink(strict=True)
    tables = normalize(
        spec, pages if spec.paginated else pages[0], RequestMeta.for_params(params), sink
    )
    base = main_table(report)
    main = tables[base].to_pylist()
    if spec.kind is Kind.PAGINATED:
        box = [p[spec.page_container] if spec.page_container else p for p in pages]
        results = [r for b in box for r in b["results"]]
        assert len(results) == box[0]["count"]
        check_rows(main, results, RENAMED)
        assert [r["position"] for r in main] == list(range(len(results)))
        if "tags" in results[0]:
            tags = [t for r in results for t in r["tags"]]
            check_rows(tables[f"{base}__tags"].to_pylist(), tags)
    elif spec.kind is Kind.SUMMARY:
        payload = pages[0]
        for period in ("current", "previous"):
            if period in payload:
                row = next(r for r in main if r["period"] == period)
                check_rows([row], [payload[period]])
        assert {r["period"] for r in main} == {"current", "previous"} & (set(payload) | {"current"})
        deltas = tables[f"{base}__deltas"].to_pylist()
        check_rows(deltas, [payload["deltas"]] if "deltas" in payload else [])
    elif spec.kind is Kind.TIMESERIES:
        payload = pages[0]
        label, value = spec.series[0].label, spec.series[0].values
        points = payload["current"] + payload.get("previous", [])
        assert [r["date"] for r in main] == [
            dt.datetime.fromisoformat(p[label].replace("Z", "+00:00")) for p in points
        ]
        for v in value:
            assert [r[snake(v)] for r in main] == pytest.approx([p[v] for p in points])
    else:
        check_rows(main, pages[0])
    for t in tables.values():
        assert all(
            r["window_start"] == dt.datetime(2026, 10, 5, tzinfo=dt.UTC) for r in t.to_pylist()
        )


def test_frames_are_typed_dataframes():
    with Simulator(seed=11, cutoff=CUTOFF) as sim:
        frames = sim.client().frames(
            "conversations_drilldown", start_date="2026-10-05", end_date="2026-10-06"
        )
    df = frames["conversations_drilldown"]
    assert isinstance(df, pd.DataFrame) and len(df) > 20
    assert str(df["id"].dtype) == "Int64" and str(df["attachments"].dtype) == "boolean"
    assert str(df["modified_at"].dtype) == "datetime64[us, UTC]"
    assert set(frames) == {
        "conversations_drilldown",
        "conversations_drilldown__tags",
        "conversations_drilldown__customer_ids",
    }
    assert df["window_end"].iloc[0] == pd.Timestamp("2026-10-06", tz="UTC")


def test_table_reference_is_current():
    path = Path(__file__).parents[1] / "docs/tables.md"
    assert path.read_text() == render(), "run: hs-extract tables --write docs/tables.md"


# --- property: random extra keys and nulls never crash and are never lost -------------------


def nodes(obj, path=()):
    """Every dict and every value position in a JSON tree, with its path."""
    if isinstance(obj, dict):
        yield path, obj
        for k, v in obj.items():
            yield from nodes(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from nodes(v, (*path, i))
    else:
        yield path, obj


def set_path(root, path, value):
    for p in path[:-1]:
        root = root[p]
    root[path[-1]] = value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=5,
)


@settings(suppress_health_check=[HealthCheck.too_slow])  # examples: the profile's (conftest)
@given(report=st.sampled_from(sorted(REPORTS)), data=st.data())
def test_extra_keys_and_nulls_are_kept_or_fail_naming_a_key(report, data):
    spec = REPORTS[report]
    payload = copy.deepcopy(GEM[report])
    positions = [p for p, _ in nodes(payload) if p]
    for path in data.draw(st.lists(st.sampled_from(positions), max_size=3), label="nulls"):
        with contextlib.suppress(TypeError, KeyError, IndexError):  # an ancestor is null now
            set_path(payload, path, None)
    dicts = [d for _, d in nodes(payload) if isinstance(d, dict)]
    markers = {}
    if dicts:
        for n in range(data.draw(st.integers(0, 4), label="extras")):
            target = data.draw(st.sampled_from(dicts))
            key = f"zz_new_{n}"
            value = data.draw(json_values)
            target[key] = {"marker": n, "value": value}
            markers[key] = target[key]
    sink = Sink()
    try:
        tables = normalize(
            spec,
            [payload] if spec.paginated else payload,
            RequestMeta.for_params({"start_date": "2026-01-01", "end_date": "2026-01-02"}),
            sink,
        )
    except NormalizeError as exc:  # a null where a row's key comes from, or where the report
        # always has an object (a period's metrics, a page's results): loud, and named
        text = str(exc)
        assert "part of the row's key and can't be null" in text or "always has" in text, exc
        assert exc.json_path and exc.json_path.startswith("$"), exc
        return
    extras = []
    for t in tables.values():
        extras += [json.loads(e) for e in t.column("_extra").to_pylist() if e]
    found = {}
    for e in extras:
        for k, v in e.items():
            found[k.rsplit(".", 1)[-1]] = v
    empty = tables[main_table(report)].num_rows == 0
    for key, value in markers.items():
        if key in found:  # as given, but for NUL, which every destination drops alike
            assert found[key] == without_nul(value), key
        else:  # a window without any row has no _extra to keep it in: reported, never dropped
            assert empty and any(u.endswith(f".{key}") for u in sink.unknown), key


def without_nul(value):
    """``value`` with NUL removed from every string, keys included (PostgreSQL can't hold one)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value
