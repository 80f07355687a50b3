"""Pages are complete or the unit fails: repeated pages, growing and missing page counts."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import Dest, sim_source
from tests.proxy import MangleProxy

DAY = "2026-10-21"


#: the module's simulator (the ``sim`` fixture of conftest.py)
pytestmark = pytest.mark.usefixtures("no_pauses")

SIMULATOR = {"seed": 61, "volume": 120}


def expected(sim) -> int:
    page = sim.client().get_conversations_drilldown(start_date=DAY, end_date="2026-10-22", rows=1)
    return page["conversations"]["count"]


def run(sim, tmp_path, base_url) -> tuple[int, str, Dest]:
    dest = Dest("sqlite", tmp_path)
    raw = {
        "source": sim_source(sim, base_url=base_url, max_workers=2),
        "windows": {"start": DAY, "end": "2026-10-22"},
        "reports": ["conversations_drilldown"],
        "destinations": {"sql": dest.sql()},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))
    done = CliRunner().invoke(main, ["run", "--config", str(path), "--no-progress"])
    return done.exit_code, done.stderr, dest


def loaded(dest) -> tuple[int, int]:
    """(rows in the table, state rows)."""
    with dest.engine.connect() as c:
        rows = c.execute(sa.text("select count(*) from conversations_drilldown")).scalar_one()
        state = c.execute(sa.text("select count(*) from _hs_extract_state")).scalar_one()
    return rows, state


def test_a_page_that_keeps_repeating_fails_the_unit_and_the_next_run_loads_it(sim, tmp_path):
    first: dict = {}

    def repeat_page_one(path, query, n, payload):
        if query.get("page") == "1":
            first["page"] = copy.deepcopy(payload)
        elif first:  # a caching proxy that serves page 1 for every page
            return copy.deepcopy(first["page"])
        return payload

    count = expected(sim)
    assert count > 100  # at least three pages of 50
    with MangleProxy(sim.base_url, repeat_page_one) as proxy:
        code, err, dest = run(sim, tmp_path, proxy.base_url)
    assert code == 1, err
    assert "conversations_drilldown" in err and "repeats page 1" in err, err
    assert loaded(dest) == (0, 0)  # nothing half-loaded, nothing marked loaded
    code, err, dest = run(sim, tmp_path, sim.base_url)  # the next run retries it
    assert code == 0, err
    assert loaded(dest) == (count, 1)


def test_a_page_repeated_once_is_fetched_again(sim, tmp_path):
    def repeat_once(path, query, n, payload):
        if query.get("page") == "3" and n == 0:  # the first answer for page 3 is page 2's
            return stash["2"]
        if query.get("page") == "2":
            stash["2"] = copy.deepcopy(payload)
        return payload

    stash: dict = {}
    with MangleProxy(sim.base_url, repeat_once) as proxy:
        code, err, dest = run(sim, tmp_path, proxy.base_url)
    assert code == 0, err
    assert loaded(dest) == (expected(sim), 1)


def test_a_growing_page_count_is_followed_to_its_end(sim, tmp_path):
    def grow(path, query, n, payload):
        box = payload["conversations"]
        real = box["pages"]
        page = int(query["page"])
        box["pages"] = max(1, real - 1) if page == 1 else real  # page 1 announces one too few
        return payload

    with MangleProxy(sim.base_url, grow) as proxy:
        code, err, dest = run(sim, tmp_path, proxy.base_url)
    assert code == 0, err
    assert loaded(dest) == (expected(sim), 1)


def test_pages_without_a_page_count_are_followed_to_an_empty_page(sim, tmp_path):
    def no_pages(path, query, n, payload):
        payload["conversations"].pop("pages")
        return payload

    with MangleProxy(sim.base_url, no_pages) as proxy:
        code, err, dest = run(sim, tmp_path, proxy.base_url)
    assert code == 0, err
    assert loaded(dest) == (expected(sim), 1)
