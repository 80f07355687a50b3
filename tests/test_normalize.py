"""Normalizers: golden payloads, declared types, nothing dropped, clear shape errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from hs_extract import REPORTS, NormalizeError
from hs_extract.normalize import (
    DIMENSIONS,
    RequestMeta,
    Sink,
    main_table,
    normalize,
    normalize_json,
    table_specs,
    tables_of,
)
from hs_extract.normalize.fast import read_pages
from hs_extract.normalize.schema import LINEAGE, SLICES, SNAPSHOT

FIXTURES = json.loads((Path(__file__).parent / "fixtures/gem_payloads.json").read_text())
GEM = {**FIXTURES["payloads"], **FIXTURES["reference_payloads"]}
META = RequestMeta.for_params(
    {
        "start_date": "2015-01-01",
        "end_date": "2015-02-01",
        "user": 4,
        "rating": "all",
        "tags": [5, 3],
        "types": "email",
    },
    run_id="run-1",
    extracted_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
)


def run(report, payload, sink=None):
    spec = REPORTS[report]
    return normalize(spec, [payload] if spec.paginated else payload, META, sink)


def rows(table: pa.Table, **where) -> list[dict]:
    return [r for r in table.to_pylist() if all(r[k] == v for k, v in where.items())]


def one(table: pa.Table, **where) -> dict:
    found = rows(table, **where)
    assert len(found) == 1, found
    return found[0]


UTC = dt.UTC


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- golden: the Ruby gem's example payloads -----------------------------------------------

ROW_COUNTS = {
    "company": {
        "company": 2,
        "company__deltas": 1,
        "company__filter_tags": 1,
        "company__users": 1,
    },
    "company_drilldown": {
        "company_drilldown": 1,
        "company_drilldown__customer_ids": 1,
        "company_drilldown__tags": 1,
    },
    "conversations": {
        "conversations": 2,
        "conversations__deltas": 1,
        "conversations__filter_tags": 2,
        "conversations__busiest_day": 1,
        "conversations__tags_top": 3,
        "conversations__customers_top": 2,
        "conversations__replies_top": 2,
        "conversations__workflows_top": 2,
        "conversations__custom_fields": 1,
        "conversations__custom_field_values": 2,
    },
    "conversations_busiest_times": {"conversations_busiest_times": 4},
    "docs": {
        "docs": 1,
        "docs__deltas": 1,
        "docs__popular_searches": 2,
        "docs__failed_searches": 2,
        "docs__top_articles": 1,
        "docs__top_categories": 2,
    },
    "productivity": {
        "productivity": 2,
        "productivity__deltas": 1,
        "productivity__filter_tags": 1,
        "productivity__ranges": 4,
    },
    "user": {
        "user_overall": 2,
        "user_overall__deltas": 1,
        "user_overall__filter_tags": 1,
        "user_overall__profile": 1,
    },
    "user_conversation_history": {
        "user_conversation_history": 2,
        "user_conversation_history__customers": 2,
    },
    "user_drilldown": {
        "user_drilldown": 2,
        "user_drilldown__customer_ids": 0,
        "user_drilldown__tags": 1,
    },
    "chat": {"chat": 2, "chat__deltas": 1, "chat__ranges": 20},
    "email": {"email": 2, "email__deltas": 1, "email__filter_tags": 1, "email__ranges": 6},
    "phone": {"phone": 2, "phone__deltas": 1, "phone__users": 2},
    "user_chat": {"user_chat": 2, "user_chat__deltas": 1},
}

# (table, row selector, column, expected value)
CELLS = {
    "company": [
        ("company", {"period": "current"}, "customers_helped", 28),
        ("company", {"period": "current"}, "end_date", ts("2015-01-31T23:59:59Z")),
        ("company__deltas", {}, "total_replies", -90.25157232704403),
        ("company__deltas", {}, "total_days", None),
        ("company__users", {}, "id", 1),  # "user": "1" in the payload: ids are int64
        ("company__users", {}, "handle_time", 78.96),
        ("company__filter_tags", {}, "name", "sample-tag"),
    ],
    "company_customers_helped": [
        ("company_customers_helped", {"period": "current"}, "customers", 58),
        ("company_customers_helped", {"period": "previous"}, "date", ts("2020-02-24T13:30:00Z")),
    ],
    "company_drilldown": [
        ("company_drilldown", {"id": 583}, "mailbox_id", 2),
        ("company_drilldown", {"id": 583}, "attachments", False),
        ("company_drilldown", {"id": 583}, "thread_count", 6),
        ("company_drilldown", {"id": 583}, "modified_at", ts("2015-04-24T18:59:49Z")),
        ("company_drilldown", {"id": 583}, "assigned_name", "Mary Jones"),
        ("company_drilldown", {"id": 583}, "position", 0),
        ("company_drilldown__tags", {"conversation_id": 583, "idx": 0}, "name", "sample-tag"),
        ("company_drilldown__customer_ids", {"conversation_id": 583}, "customer_id", 2),
    ],
    "conversations": [
        ("conversations", {"period": "current"}, "new_conversations", 1698),
        ("conversations", {"period": "current"}, "busy_time_start", 11),
        ("conversations", {"period": "current"}, "tags__count", 351),
        ("conversations", {"period": "previous"}, "busy_time_start", None),
        ("conversations__busiest_day", {}, "count", 411),
        ("conversations__tags_top", {"idx": 0}, "name", None),  # Help Scout omits it for id 1
        ("conversations__tags_top", {"idx": 2}, "id", 406031),
        ("conversations__replies_top", {"idx": 1}, "mailbox_id", 1),
        ("conversations__custom_fields", {"id": 8}, "summary__previous_total", None),
        ("conversations__custom_fields", {"id": 8}, "summary__total_answered", 2241),
        ("conversations__custom_field_values", {"custom_field_id": 8, "idx": 1}, "count", 273),
    ],
    "conversations_new_conversations": [
        (
            "conversations_new_conversations",
            {"period": "current"},
            "date",
            ts("2020-03-09T13:30:00Z"),
        ),
        ("conversations_new_conversations", {"period": "current"}, "count", 62),
    ],
    "conversations_channel_volumes": [
        ("conversations_channel_volumes", {"period": "previous"}, "email", 69),
    ],
    "conversations_busiest_times": [
        ("conversations_busiest_times", {"day": 7, "hour": 22}, "count", 12),
    ],
    "conversations_received_message_stats": [
        ("conversations_received_message_stats", {"period": "current"}, "messages", 126),
    ],
    "docs": [
        ("docs", {"period": "current"}, "visitors", 10723),
        ("docs__deltas", {}, "failed_result", 2.4021178109331593),
        ("docs__popular_searches", {"idx": 0}, "id", "pricing"),
        ("docs__top_articles", {}, "site_id", "52244cc53e3e9bd67a3dc68c"),
        ("docs__top_categories", {"idx": 1}, "articles", 17),
    ],
    "happiness": [("happiness", {"period": "previous"}, "okay_count", 392)],
    "happiness_ratings": [
        (
            "happiness_ratings",
            {"id": 432207336},
            "rating_comments",
            "Thanks for the clear reply, Amanda!",
        ),
        ("happiness_ratings", {"id": 432031326}, "rating_created_at", ts("2017-09-15T14:54:27Z")),
        ("happiness_ratings", {"id": 432031326}, "thread_id", 1169298612),
    ],
    "productivity": [
        ("productivity", {"period": "current"}, "percent_resolved_on_first_reply", 0.0),
        ("productivity", {"period": "current"}, "response_time__count", 1),
        ("productivity", {"period": "current"}, "response_time", 2278004.0),
        ("productivity__ranges", {"histogram": "repliesToResolve"}, "resolution_time", 2278004.0),
        ("productivity__ranges", {"histogram": "handleTime"}, "previous_count", 14),
    ],
    "productivity_resolution_time": [
        ("productivity_resolution_time", {"period": "previous"}, "time", 642356.0),
    ],
    "user": [
        ("user_overall", {"period": "current"}, "busiest_day", 5),
        ("user_overall__deltas", {}, "active_conversations", -54.761904761904766),
        ("user_overall__profile", {}, "has_photo", True),
        ("user_overall__profile", {}, "created_at", ts("2010-09-03T15:55:48Z")),
    ],
    "user_conversation_history": [
        ("user_conversation_history", {"position": 1}, "id", 4845671933),
        (
            "user_conversation_history__customers",
            {"conversation_id": 416351186},
            "name",
            "Peter Peters",
        ),
    ],
    "user_drilldown": [
        ("user_drilldown", {"id": 430221821}, "waiting_since_type", 2),
        ("user_drilldown", {"id": 430221821}, "conversation_status", "active"),
        ("user_drilldown", {"id": 430221821}, "customer_email", None),
    ],
    "chat": [
        ("chat", {"period": "current"}, "volume__chat_conversations", 255),
        ("chat__deltas", {}, "resolutions__duration", -0.85561496),
        ("chat", {"period": "current"}, "wait_time__previous_count", 196),
        ("chat__ranges", {"histogram": "duration", "idx": 4}, "id", 5),
    ],
    "email": [
        ("email", {"period": "current"}, "resolutions__percent_resolved_on_first_reply", 0.1),
        ("email__deltas", {}, "resolutions__percent_resolved_on_first_reply", None),
        ("email__ranges", {"histogram": "resolutionTime", "idx": 1}, "percent", 11.764706),
    ],
    "phone": [
        ("phone__deltas", {}, "new_conversations", 0.0),
        ("phone", {"period": "current"}, "phone_conversations", 11),
        ("phone__users", {"id": 100, "period": "previous"}, "phone_conversations", 1),
    ],
    "user_chat": [
        ("user_chat", {"period": "previous"}, "messages_per_chat", None),
        ("user_chat", {"period": "current"}, "wait_time", 37.0),
    ],
    "conversations_drilldown": [
        ("conversations_drilldown", {"id": 583}, "customer_email", "john@example.com"),
    ],
    "conversations_drilldown_by_field": [
        ("conversations_drilldown_by_field", {"id": 583}, "conversation_status", "active"),
    ],
    "conversations_new_conversations_drilldown": [
        ("conversations_new_conversations_drilldown", {"id": 583}, "assigned_id", 4),
    ],
    "user_happiness": [
        ("user_happiness", {"period": "current"}, "total_customers_with_ratings", 39),
        ("user_happiness__filter_tags", {}, "id", 123),
    ],
    "user_happiness_drilldown": [
        ("user_happiness_drilldown", {"id": 424890237}, "rating_user_name", "Denny Matthews"),
    ],
    "user_customers_helped": [("user_customers_helped", {"period": "current"}, "customers", 17)],
    "user_replies": [("user_replies", {"period": "previous"}, "replies", 18)],
    "user_resolutions": [("user_resolutions", {"period": "current"}, "resolved", 26)],
    "productivity_first_response_time": [
        ("productivity_first_response_time", {"period": "current"}, "time", 77134.0),
    ],
    "productivity_replies_sent": [
        ("productivity_replies_sent", {"period": "current"}, "replies", 86)
    ],
    "productivity_resolved": [("productivity_resolved", {"period": "previous"}, "resolved", 47)],
    "productivity_response_time": [
        ("productivity_response_time", {"period": "previous"}, "time", 115673.0),
    ],
}


@pytest.mark.parametrize("report", list(REPORTS))
def test_gem_payload_golden(report):
    sink = Sink(strict=True)  # every key of the examples is declared
    tables = run(report, GEM[report], sink)
    assert set(tables) == {t.name for t in tables_of(report)}
    for name, n in ROW_COUNTS.get(report, {}).items():
        assert tables[name].num_rows == n, name
    for table, where, column, expected in CELLS.get(report, []):
        value = one(tables[table], **where)[column]
        assert value == expected and type(value) is type(expected), (table, where, column)
    for name, table in tables.items():
        assert table.schema == table_specs()[name].schema
        lineage = table.to_pylist()
        assert all(r["run_id"] == "run-1" and r["user_id"] == 4 for r in lineage)
        assert all(r["filters"] == "tags=3,5;types=email" for r in lineage)
        assert all(r["window_end"] == dt.datetime(2015, 2, 1, tzinfo=UTC) for r in lineage)
        assert all(r["_extra"] is None for r in lineage)
    main = tables[main_table(report)]
    assert main.num_rows > 0


def test_every_report_has_a_golden_payload_and_checks():
    assert set(GEM) == set(REPORTS)
    assert set(CELLS) == set(REPORTS)


# --- conformance ----------------------------------------------------------------------------


def test_every_report_has_schemas_and_unique_names():
    specs = table_specs()
    assert {t.report for t in specs.values() if not t.dimension} == set(REPORTS)
    assert {t.report for t in specs.values() if t.dimension} == set(DIMENSIONS)
    for report in REPORTS:
        assert tables_of(report)[0].name == main_table(report)
    for name, spec in specs.items():
        schema = spec.schema
        names = schema.names
        assert len(names) == len(set(names)), name
        lineage = SNAPSHOT if spec.dimension else (*LINEAGE, *SLICES)
        assert names[: len(lineage)] == [n for n, _, _ in lineage]
        assert names[-1] == "_extra"
        assert all(k in names for k in spec.full_key), name
        base = main_table(spec.report)
        assert name == base or name.startswith(base + "__")
        for f in schema:
            if pa.types.is_timestamp(f.type):
                assert f.type.tz == "UTC"


def test_docs_ids_are_text_and_other_ids_int64():
    specs = table_specs()
    assert specs["docs__top_articles"].schema.field("id").type == pa.string()
    assert specs["conversations_drilldown"].schema.field("id").type == pa.int64()
    assert specs["company__users"].schema.field("id").type == pa.int64()
    assert specs["conversations_drilldown"].schema.field("attachments").type == pa.bool_()
    assert specs["conversations_drilldown__tags"].schema.field("conversation_id").type == pa.int64()


# --- nothing dropped ------------------------------------------------------------------------


def test_unknown_keys_go_to_extra_and_are_reported_once():
    page = json.loads(json.dumps(GEM["conversations_drilldown"]))
    res = page["conversations"]["results"][0]
    res["newKey"] = {"a": 1}
    res["tags"][0]["shade"] = "dark"
    page["conversations"]["results"].append(dict(res, id=584, newKey=2))
    page["conversations"]["cursor"] = "abc"
    page["meta"] = [1]
    sink = Sink()
    tables = run("conversations_drilldown", page, sink)
    main = tables["conversations_drilldown"].to_pylist()
    assert json.loads(main[0]["_extra"]) == {"newKey": {"a": 1}, "cursor": "abc", "meta": [1]}
    assert json.loads(main[1]["_extra"]) == {"newKey": 2}
    tags = tables["conversations_drilldown__tags"].to_pylist()
    assert [json.loads(t["_extra"]) for t in tags] == [{"shade": "dark"}] * 2
    assert sink.unknown == {
        "conversations_drilldown: $.conversations.results[].newKey",
        "conversations_drilldown: $.conversations.results[].tags[].shade",
        "conversations_drilldown: $[0].conversations.cursor",
        "conversations_drilldown: $[0].meta",
    }


def test_nested_unknown_keys_keep_their_path():
    payload = json.loads(json.dumps(GEM["chat"]))
    payload["current"]["volume"]["transfers"] = 3
    payload["waitTime"]["median"] = 12
    tables = run("chat", payload)
    current = one(tables["chat"], period="current")
    assert json.loads(current["_extra"]) == {"volume.transfers": 3, "waitTime.median": 12}


def test_keys_outside_any_row_are_kept_on_the_first_row_or_reported():
    point = {"start": "2020-03-09T13:30:00Z", "count": 3}
    tables = run("conversations_new_conversations", {"current": [point], "note": "x"})
    [row] = tables["conversations_new_conversations"].to_pylist()
    assert json.loads(row["_extra"]) == {"note": "x"}
    # a window without any row: a row needs a key, so the key is reported, not stored
    sink = Sink()
    tables = run("conversations_new_conversations", {"current": [], "note": "empty"}, sink)
    assert tables["conversations_new_conversations"].num_rows == 0
    assert sink.unknown == {"conversations_new_conversations: $.note"}


def test_a_row_without_its_key_fails_naming_the_path():
    page = json.loads(json.dumps(GEM["conversations_drilldown"]))
    del page["conversations"]["results"][0]["id"]
    with pytest.raises(NormalizeError, match=r"\$\[0\]\.conversations\.results\[0\]\.id: missing"):
        run("conversations_drilldown", page)
    raw = [orjson.dumps(page)]
    with pytest.raises(NormalizeError, match=r"results\[0\]\.id: missing"):
        normalize_json("conversations_drilldown", raw, META)


def test_two_ratings_of_one_thread_are_two_rows():
    page = json.loads(json.dumps(GEM["happiness_ratings"]))
    first = page["results"][0]
    again = dict(first, ratingId=3, ratingCreatedAt="2017-09-15T13:00:00Z", ratingComments="no")
    page["results"] = [first, again]
    for tables in (
        run("happiness_ratings", page),
        normalize_json("happiness_ratings", [orjson.dumps(page)], META),
    ):
        got = tables["happiness_ratings"].to_pylist()
        assert [(r["thread_id"], r["rating_id"]) for r in got] == [
            (first["threadid"], 1),
            (first["threadid"], 3),
        ]


def test_counts_are_integers_and_deltas_are_their_own_table():
    tables = run("company", GEM["company"])
    schema = tables["company"].schema
    assert schema.field("customers_helped").type == pa.int64()
    assert schema.field("replies_per_day").type == pa.float64()
    assert set(tables["company"].column("period").to_pylist()) == {"current", "previous"}
    deltas = tables["company__deltas"].schema
    assert deltas.field("customers_helped").type == pa.float64()
    assert "start_date" not in deltas.names  # dates have no percent change
    doc = table_specs()["company__deltas"].columns[0]
    assert doc.unit == "percent change" and doc.doc.startswith("change of")


def test_strict_mode_rejects_unknown_keys():
    payload = dict(GEM["happiness"], surprise=1)
    with pytest.raises(NormalizeError, match=r"happiness: unknown key at \$\.surprise"):
        run("happiness", payload, Sink(strict=True))


def test_received_messages_both_layouts_land_in_the_same_columns():
    a = run(
        "conversations_received_message_stats",
        {"current": [{"date": "2020-03-09T13:30:00Z", "messages": 126}]},
    )
    b = run(
        "conversations_received_message_stats",
        {"current": [{"start": "2020-03-09T13:30:00Z", "count": 126}]},
    )
    assert a["conversations_received_message_stats"].equals(
        b["conversations_received_message_stats"]
    )


def test_nulls_stay_nulls_and_types_coerce_losslessly():
    page = {
        "conversations": {
            "page": 1,
            "pages": 1,
            "count": 1,
            "results": [
                {
                    "id": "17",
                    "threadCount": 3.0,
                    "attachments": None,
                    "subject": 42,
                    "customerIds": [None, 5],
                    "modifiedAt": "2015-04-24T18:59:49",
                    "tags": None,
                }
            ],
        }
    }
    tables = run("conversations_drilldown", page)
    row = tables["conversations_drilldown"].to_pylist()[0]
    assert row["id"] == 17 and row["thread_count"] == 3 and row["attachments"] is None
    assert row["subject"] == "42" and row["modified_at"] == ts("2015-04-24T18:59:49Z")
    ids = tables["conversations_drilldown__customer_ids"].to_pylist()
    assert [(r["idx"], r["customer_id"]) for r in ids] == [(0, None), (1, 5)]


# --- shape errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "mutate", "path"),
    [
        ("email", lambda p: p.update(current=[1, 2]), "$.current"),
        ("email", lambda p: p["current"].update(volume=[]), "$.current.volume"),
        ("conversations", lambda p: p.update(tags={"count": 1, "top": {"id": 1}}), "$.tags.top"),
        ("conversations", lambda p: p.update(busiestDay=[3, 0, 411]), "$.busiestDay"),
        # window-level sections are named by their own path, not under $.current
        ("conversations", lambda p: p["tags"]["top"][0].update(id={"x": 1}), "$.tags.top[0].id"),
        ("conversations", lambda p: p["filterTags"][1].update(id="b"), "$.filterTags[1].id"),
        ("company_customers_helped", lambda p: p.update(current={"date": "x"}), "$.current"),
        ("company_customers_helped", lambda p: p["current"].append(7), "$.current[1]"),
        (
            "conversations_drilldown",
            lambda p: p["conversations"]["results"][0].update(tags="x"),
            "$[0].conversations.results[0].tags",
        ),
        (
            "conversations_drilldown",
            lambda p: p["conversations"]["results"][0].update(threadCount={"n": 6}),
            "$[0].conversations.results[0].threadCount",
        ),
        (
            "conversations_drilldown",
            lambda p: p["conversations"]["results"][0]["tags"][0].update(id=[1]),
            "$[0].conversations.results[0].tags[0].id",
        ),
        ("conversations_drilldown", lambda p: p.update(conversations=[]), "$[0].conversations"),
        (
            "user_conversation_history",
            lambda p: p["results"][1].update(repliesSent=2.5),
            "$[0].results[1].repliesSent",
        ),
        ("conversations_busiest_times", lambda p: p.append("x"), "$[4]"),
        ("phone", lambda p: p["users"][0].update(current=5), "$.users[0].current"),
    ],
)
def test_shape_contradictions_name_the_json_path(report, mutate, path):
    payload = json.loads(json.dumps(GEM[report]))
    mutate(payload)
    with pytest.raises(NormalizeError) as info:
        run(report, payload)
    assert info.value.json_path == path
    assert str(info.value).startswith(f"{report}: {path}: expected ")


# --- fast path ------------------------------------------------------------------------------


@pytest.mark.parametrize("report", [r for r, s in REPORTS.items() if s.paginated])
def test_fast_path_equals_python_path(report):
    pages = [GEM[report], GEM[report]]
    raw = [orjson.dumps(p) for p in pages]
    assert read_pages(report, raw) is not None
    fast = normalize_json(report, raw, META)
    slow = normalize(report, pages, META)
    for name in slow:
        assert fast[name].equals(slow[name]), name


def test_fast_path_steps_aside_for_unknown_keys_and_pretty_json():
    page = json.loads(json.dumps(GEM["conversations_drilldown"]))
    page["conversations"]["results"][0]["newKey"] = 1
    raw = [orjson.dumps(page)]
    assert read_pages("conversations_drilldown", raw) is None
    tables = normalize_json("conversations_drilldown", raw, META)
    assert json.loads(tables["conversations_drilldown"]["_extra"][0].as_py()) == {"newKey": 1}
    pretty = [json.dumps(GEM["happiness_ratings"], indent=2).encode()] * 2
    assert read_pages("happiness_ratings", pretty).num_rows == 2
