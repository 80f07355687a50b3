"""The schema check behind ``hs-extract check``, and the fields the field guides document.

``audit`` holds one answer against the declared tables: keys not declared, declared keys
absent, values of the wrong type, each with its true JSON path. The fields of Help Scout's own
field guides (company ``users[].closed``, conversations ``companyId``, custom fields'
``mailbox``, the user report's ``ratings``) land in declared columns, not in ``_extra``.
"""

from __future__ import annotations

import copy
import json

import pytest

from hs_extract import REPORTS
from hs_extract.normalize import Sink
from hs_extract.normalize.audit import audit
from tests.test_normalize import GEM, run


def serious(findings):
    return [str(f) for f in findings if f.serious]


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_the_documented_payloads_have_no_difference(report):
    assert serious(audit(report, GEM[report])) == []


def test_a_renamed_field_is_a_new_key_and_an_absent_one():
    payload = copy.deepcopy(GEM["company"])
    payload["current"]["helped"] = payload["current"].pop("customersHelped")
    found = {(f.kind, f.path) for f in audit("company", payload)}
    assert ("new key", "$.current.helped") in found
    assert ("absent", "$.current.customersHelped") in found


def test_wrong_types_are_named_by_their_true_path():
    payload = copy.deepcopy(GEM["conversations"])
    payload["tags"]["top"][0]["count"] = "many"
    payload["busyTimeStart"] = [11]
    found = {(f.kind, f.path) for f in audit("conversations", payload)}
    assert ("wrong type", "$.tags.top[0].count") in found
    assert ("wrong type", "$.busyTimeStart") in found


def test_a_new_key_inside_a_section_is_seen():
    payload = copy.deepcopy(GEM["conversations"])
    payload["tags"]["top"][1]["trend"] = "up"
    payload["zzNew"] = 1
    found = {(f.kind, f.path) for f in audit("conversations", payload)}
    assert ("new key", "$.tags.top[1].trend") in found
    assert ("new key", "$.zzNew") in found


def test_the_same_difference_in_many_items_is_counted_once():
    payload = copy.deepcopy(GEM["conversations_drilldown"])
    results = payload["conversations"]["results"]
    results.append(copy.deepcopy(results[0]))
    for r in results:
        r["threadCount"] = "several"
    (finding,) = [f for f in audit("conversations_drilldown", payload) if f.kind == "wrong type"]
    assert finding.path == "$.conversations.results[0].threadCount"
    assert finding.count == len(results)


def test_lists_with_their_own_periods_are_not_new_keys():
    findings = audit("phone", GEM["phone"])
    assert not [f for f in findings if f.path == "$.users"]


def test_company_users_closed_lands_in_its_column():
    payload = copy.deepcopy(GEM["company"])
    for u in payload["users"]:
        u["closed"] = 7
    sink = Sink()
    users = run("company", payload, sink)["company__users"]
    assert set(users.column("closed").to_pylist()) == {7}
    assert not sink.unknown and set(users.column("_extra").to_pylist()) == {None}
    assert serious(audit("company", payload)) == []


def test_conversations_company_id_and_the_custom_fields_mailbox():
    payload = copy.deepcopy(GEM["conversations"])
    payload["companyId"] = 4242
    for f in payload["customFields"]["fields"]:
        f["mailbox"] = f.pop("mailboxId") + 1  # the v1 field guide's name
    sink = Sink()
    tables = run("conversations", payload, sink)
    main = tables["conversations"].to_pylist()
    assert [r["company_id"] for r in main] == [4242, None]  # window-level: the current row
    fields = tables["conversations__custom_fields"].to_pylist()
    assert [r["mailbox_id"] for r in fields] == [
        f["mailbox"] for f in payload["customFields"]["fields"]
    ]
    assert not sink.unknown
    assert serious(audit("conversations", payload)) == []
    assert not [f for f in audit("conversations", payload) if "mailbox" in f.path]


def test_the_user_report_ratings_are_a_table_per_period():
    payload = copy.deepcopy(GEM["user"])
    payload["current"]["ratings"] = [
        {
            "ratingId": "1",  # a string in one client's model: read as the number it is
            "repliesSent": 2,
            "responseTime": 30.5,
            "firstResponseTime": 12,
            "resolveTime": 900,
        },
        {"ratingId": 3, "repliesSent": 1},
    ]
    payload["previous"]["ratings"] = [{"ratingId": 2, "repliesSent": 4}]
    sink = Sink()
    ratings = run("user", payload, sink)["user_overall__ratings"].to_pylist()
    got = [(r["period"], r["idx"], r["rating_id"], r["replies_sent"]) for r in ratings]
    assert got == [("current", 0, 1, 2), ("current", 1, 3, 1), ("previous", 0, 2, 4)]
    assert ratings[0]["response_time"] == 30.5 and ratings[0]["resolve_time"] == 900.0
    assert not sink.unknown
    assert json.dumps(serious(audit("user", payload))) == "[]"
