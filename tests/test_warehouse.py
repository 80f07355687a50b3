"""The warehouse an analyst meets: names, keys, types, dimensions, units, layout upgrades."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pendulum
import pyarrow as pa
import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from sqlalchemy.dialects.sqlite.base import SQLiteIdentifierPreparer

from hs_extract.api.retry import RetryConfig
from hs_extract.cli import main
from hs_extract.load.sql_schema import LAYOUT, META, RUNS, STATE, UNIT_COLUMN, WINDOW_DATE
from hs_extract.normalize import table_specs, tables_of
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import PG_URL, postgres_or_skip, sim_source
from tests.proxy import MangleProxy

FAST = RetryConfig(max_attempts=10, backoff_base=0.01, backoff_cap=0.05)
BOOKKEEPING = {STATE, RUNS, META}
DIMENSIONS = {"users", "users__alternate_emails", "teams", "mailboxes", "tags"}


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 31}


def config(sim, dest, reports, parquet=None, base_url=None, **windows):
    raw = {
        "source": sim_source(sim, max_workers=4),
        "windows": {"start": "2026-10-20", "end": "2026-10-23", "lookback": 1, **windows},
        "reports": reports,
        "destinations": {},
    }
    if base_url:
        raw["source"]["base_url"] = base_url
    if dest is not None:
        raw["destinations"]["sql"] = dest.sql()
    if parquet is not None:
        raw["destinations"]["parquet"] = {"path": str(parquet)}
    return raw


def run(sim, raw, **kw):
    pipeline = Job(parse_config(raw), client=sim.client(retry=FAST)).open()
    try:
        return pipeline.run(**kw)
    finally:
        pipeline.close()


def names_in(dest) -> set[str]:
    with dest.engine.connect() as c:
        return set(sa.inspect(c).get_table_names(schema=dest.schema))


# --- names ------------------------------------------------------------------------------------


def every_name() -> set[str]:
    """Every table and column name hs_extract can create, bookkeeping included."""
    names = set(BOOKKEEPING) | {WINDOW_DATE, UNIT_COLUMN}
    for spec in table_specs().values():
        names.add(spec.name)
        names.update(spec.schema.names)
    from hs_extract.load.sql_schema import bookkeeping

    for table in bookkeeping(sa.MetaData()):
        names.update(c.name for c in table.columns)
    return names


def test_no_table_or_column_is_a_reserved_word_of_postgresql_or_sqlite():
    postgres_or_skip()
    engine = sa.create_engine(PG_URL)
    with engine.connect() as c:
        reserved = set(
            c.execute(sa.text("select word from pg_get_keywords() where catcode in ('R', 'T')"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert {"user", "order", "window"} <= reserved  # the server's list, not ours
    sqlite = {w.lower() for w in SQLiteIdentifierPreparer.reserved_words}
    names = every_name()
    assert "user_overall" in names and "user" not in names
    assert sorted(n for n in names if n.lower() in reserved) == []
    assert sorted(n for n in names if n.lower() in sqlite) == []
    # and nothing needs quoting: plain lowercase identifiers
    assert sorted(n for n in names if not re.fullmatch(r"[a-z_][a-z0-9_]*", n)) == []


def test_run_together_keys_have_snake_case_names_and_the_reference_shows_the_key():
    drill = {c.name: c.source for c in table_specs()["conversations_drilldown"].columns}
    assert drill["assigned_id"] == ("assignedid",) and drill["mailbox_id"] == ("mailboxid",)
    ratings = {c.name: c.source for c in table_specs()["happiness_ratings"].columns}
    assert ratings["thread_id"] == ("threadid",)
    reference = (Path(__file__).parents[1] / "docs/tables.md").read_text()
    assert "| `assigned_id` | int64 | id |  | `assignedid` |" in reference
    assert (
        "| `volume__chat_conversations` | int64 | count | **no** | `volume.chatConversations` |"
        in (reference)
    )


def test_every_column_says_what_it_means_and_every_number_its_unit():
    for spec in table_specs().values():
        for c in spec.columns:
            assert c.doc, (spec.name, c.name)
            numeric = pa.types.is_integer(c.type) or pa.types.is_floating(c.type)
            if numeric and c.name != "idx":
                assert c.unit, (spec.name, c.name)
    reference = (Path(__file__).parents[1] / "docs/tables.md").read_text()
    assert "`day` 1 = Monday … 7 = Sunday" in reference
    assert "great ratings minus the" in reference and "`previous`" in reference
    assert "conversations active in the window" in reference  # ids repeat across windows


def test_summary_metrics_keep_their_types_and_deltas_have_their_own_table():
    specs = table_specs()
    company = specs["company"].schema
    assert company.field("closed").type == pa.int64()
    assert company.field("replies_per_day").type == pa.float64()
    assert specs["productivity"].schema.field("response_time").type == pa.float64()
    assert specs["happiness"].schema.field("happiness_score").type == pa.float64()
    for name, spec in specs.items():
        if name.endswith("__deltas"):
            assert all(pa.types.is_floating(c.type) for c in spec.columns), name
            assert all(c.unit == "percent change" for c in spec.columns), name


# --- SQL: keys, types, dates, only what is configured -----------------------------------------

REPORTS = ["company", "happiness_ratings", "conversations_busiest_times", "productivity"]


def test_primary_keys_jsonb_window_date_and_only_the_configured_tables(sim, dest, tmp_path):
    raw = config(sim, dest, REPORTS, timezone="Europe/Berlin", compare_previous=True)
    result = run(sim, raw)
    assert result.ok, result.failures
    expected = {t.name for r in REPORTS for t in tables_of(r)} | DIMENSIONS | BOOKKEEPING
    assert names_in(dest) == expected
    for name in expected - BOOKKEEPING:
        spec = table_specs()[name]
        pk = dest.primary_key(name)
        assert pk == ([*spec.key] if spec.dimension else [UNIT_COLUMN, *spec.key]), name
        columns = dest.columns(name)
        assert (WINDOW_DATE in columns) is (not spec.dimension), name
        if dest.kind == "postgres":
            assert columns["_extra"].__class__.__name__ == "JSONB", name
    # a duplicate can't exist: inserting a loaded row again fails
    company = dest.table("company")
    with dest.engine.connect() as c:
        row = dict(c.execute(sa.select(company).limit(1)).one()._mapping)
    with pytest.raises(sa.exc.IntegrityError), dest.engine.begin() as c:
        c.execute(company.insert().values(**row))
    # window_date is the window's local date in windows.timezone
    with dest.engine.connect() as c:
        pairs = c.execute(sa.select(company.c.window_start, company.c.window_date)).all()
    for start, day in pairs:
        start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
        local = pendulum.instance(start).in_timezone("Europe/Berlin")
        assert local.hour == 0 and local.date() == day
    assert {d for _, d in pairs} == {dt.date(2026, 10, d) for d in (20, 21, 22)}
    # counts are integers; deltas are their own rows
    with dest.engine.connect() as c:
        closed = c.execute(sa.select(company.c.closed).where(company.c.period == "current"))
        assert all(isinstance(v, int) for v in closed.scalars())
        assert dest.count("company__deltas") == 3
        assert set(c.execute(sa.select(company.c.period).distinct()).scalars()) == {
            "current",
            "previous",
        }
    if dest.kind == "postgres":  # _extra is JSON the database can query
        teams = dest.table("teams")
        with dest.engine.connect() as c:
            href = c.execute(
                sa.select(teams.c._extra["_links"]["teamMembers"]["href"].astext).where(
                    teams.c.id == 900001
                )
            ).scalar_one()
        assert href == "/v2/teams/900001/members"


# --- dimensions ---------------------------------------------------------------------------------


def test_dimensions_turn_every_user_id_into_a_name_and_mark_teams(sim, dest, tmp_path):
    raw = config(
        sim, dest, [{"name": "user", "users": "all"}, "conversations_drilldown"], tmp_path / "pq"
    )
    first = run(sim, raw)
    assert first.ok, first.failures
    account = sim.account
    with dest.engine.connect() as c:
        named = c.execute(
            sa.text(
                f"""select distinct r.user_id, coalesce(u.name, t.name) as name,
                       coalesce(u.type, t.type) as kind
                from {dest.qualify("user_overall")} r
                left join {dest.qualify("users")} u on u.id = r.user_id
                left join {dest.qualify("teams")} t on t.id = r.user_id"""
            )
        ).all()
        assigned = c.execute(
            sa.text(
                f"""select count(*) from {dest.qualify("conversations_drilldown")} d
                left join {dest.qualify("users")} u on u.id = d.assigned_id
                where d.assigned_id <> 0 and u.id is null"""
            )
        ).scalar_one()
    people = {u.id: u.name for u in account.users} | {t.id: t.name for t in account.teams}
    assert {(i, n) for i, n, _ in named} == set(people.items())
    assert {i for i, _, k in named if k == "team"} == {t.id for t in account.teams}
    assert assigned == 0
    assert dest.count("users") == len(account.users) and dest.count("teams") == 3
    assert dest.count("tags") == len(account.tags) - 1 and dest.count("mailboxes") == 3
    frame = pd.read_parquet(tmp_path / "pq" / "users")
    assert len(frame) == len(account.users) and frame["name"].notna().all()
    # a second run replaces the snapshot: no duplicates, a new loaded_at
    users = dest.table("users")
    with dest.engine.connect() as c:
        before = c.execute(sa.select(users.c.loaded_at).distinct()).scalars().all()
    assert run(sim, raw).ok
    assert dest.count("users") == len(account.users) and dest.duplicates("users") == 0
    assert len(pd.read_parquet(tmp_path / "pq" / "users")) == len(account.users)
    with dest.engine.connect() as c:
        stamps = c.execute(sa.select(users.c.loaded_at).distinct()).scalars().all()
    assert len(stamps) == len(before) == 1 and stamps != before


# --- row identity from the data -----------------------------------------------------------------


def two_ratings_and_a_repeat(path, query, n, payload):
    """A second rating on the first rated thread, and page 2 repeating page 1's last result."""
    if path.endswith("/happiness/ratings") and query.get("page") == "1" and payload["results"]:
        first = payload["results"][0]
        again = dict(first, ratingId=3, ratingComments="changed my mind")
        again["ratingCreatedAt"] = (
            dt.datetime.fromisoformat(first["ratingCreatedAt"].replace("Z", "+00:00"))
            + dt.timedelta(hours=1)
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload["results"].insert(1, again)
        payload["count"] += 1
    if path.endswith("/conversations/drilldown") and query.get("page") == "2":
        box = payload["conversations"]
        previous = REMEMBERED.get((query["start"], "1"))
        if previous:
            box["results"].insert(0, previous)
    if path.endswith("/conversations/drilldown") and query.get("page") == "1":
        results = payload["conversations"]["results"]
        if results:
            REMEMBERED[(query["start"], "1")] = results[-1]
    return payload


REMEMBERED: dict = {}


def test_two_ratings_of_one_thread_land_and_a_repeated_result_is_counted(sim, dest, tmp_path):
    REMEMBERED.clear()
    with MangleProxy(sim.base_url, two_ratings_and_a_repeat) as proxy:
        raw = config(
            sim,
            dest,
            ["happiness_ratings", "conversations_drilldown"],
            base_url=proxy.base_url,
        )
        raw["source"]["max_workers"] = 1  # page 1 before page 2, so page 2 can repeat it
        path = tmp_path / "cfg.yaml"
        path.write_text(yaml.safe_dump(raw))
        done = CliRunner().invoke(main, ["run", "--config", str(path), "--no-progress"])
    assert done.exit_code == 0, done.output
    # the summary names the table and the count
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith("repeated results dropped")]
    assert re.search(r"conversations_drilldown (\d+)", line), line
    repeated = int(re.search(r"conversations_drilldown (\d+)", line).group(1))
    ratings = dest.table("happiness_ratings")
    with dest.engine.connect() as c:
        per_thread = c.execute(
            sa.select(ratings.c.window_date, ratings.c.thread_id, sa.func.count())
            .group_by(ratings.c.window_date, ratings.c.thread_id)
            .having(sa.func.count() > 1)
        ).all()
    assert len(per_thread) == 3  # one re-rated thread per window, both ratings kept
    assert repeated == 3 and dest.duplicates("conversations_drilldown") == 0  # one a window
    client = sim.client()
    drill = dest.table("conversations_drilldown")
    for day in (20, 21, 22):
        count = client.get_conversations_drilldown(
            start_date=dt.date(2026, 10, day), end_date=dt.date(2026, 10, day + 1), rows=1
        )["conversations"]["count"]
        where = drill.c.window_date == dt.date(2026, 10, day)
        with dest.engine.connect() as c:
            loaded = c.execute(sa.select(sa.func.count()).select_from(drill).where(where))
            loaded = loaded.scalar_one()
        assert loaded == count, day  # nothing lost, nothing doubled
    runs = dest.table(RUNS)
    with dest.engine.connect() as c:
        logged, message = c.execute(sa.select(runs.c.repeats_dropped, runs.c.message)).one()
    assert logged >= repeated  # child rows of the repeated results too
    assert "conversations_drilldown" in message


# --- upgrading a destination of the 0.1 layout --------------------------------------------------


def make_old_destination(dest, parquet: Path) -> None:
    """What 0.1 left: a `user` table with `_unit`, a state table, no meta; Parquet folders."""
    with dest.engine.begin() as c:
        if dest.schema:
            c.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{dest.schema}"'))
        prefix = f'"{dest.schema}".' if dest.schema else ""
        c.execute(
            sa.text(
                f'CREATE TABLE {prefix}"user" (period TEXT, closed DOUBLE PRECISION, _unit BIGINT)'
            )
        )
        c.execute(sa.text(f"INSERT INTO {prefix}\"user\" VALUES ('deltas', 12.5, 1)"))
        c.execute(sa.text(f"CREATE TABLE {prefix}_hs_extract_state (report TEXT, slice TEXT)"))
    old = parquet / "company" / "window_date=2026-10-20"
    old.mkdir(parents=True)
    (old / "unit-old.parquet").write_bytes(b"PAR1")


def test_a_0_1_destination_is_refused_with_one_line_then_rebuilt(sim, dest, tmp_path):
    parquet = tmp_path / "pq"
    make_old_destination(dest, parquet)
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, dest, ["company", "user"], parquet)))
    before = names_in(dest)
    refused = CliRunner().invoke(main, ["run", "--config", str(path), "--no-progress"])
    assert refused.exit_code == 2, refused.output
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "0.1" in lines[0] and "--full-refresh" in lines[0], lines
    assert names_in(dest) == before  # nothing written, nothing mixed
    rebuilt = CliRunner().invoke(
        main, ["run", "--config", str(path), "--no-progress", "--full-refresh"]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    names = names_in(dest)
    assert "user" not in names and {"user_overall", "company", META} <= names
    with dest.engine.connect() as c:
        layout = c.execute(
            sa.text(f"select value from {dest.qualify(META)} where setting = 'layout'")
        ).scalar_one()
    assert layout == str(LAYOUT)
    assert not (parquet / "company" / "window_date=2026-10-20" / "unit-old.parquet").exists()
    assert len(pd.read_parquet(parquet / "company")) == dest.count("company") == 3
    again = CliRunner().invoke(main, ["run", "--config", str(path), "--no-progress"])
    assert again.exit_code == 0, again.output


def test_a_0_1_parquet_folder_alone_is_refused_then_rebuilt(sim, tmp_path):
    parquet = tmp_path / "pq"
    old = parquet / "company" / "window_date=2026-10-20"
    old.mkdir(parents=True)
    (old / "unit-old.parquet").write_bytes(b"PAR1")
    (parquet / "_state.json").write_text('{"version": 1, "units": {}}')
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, None, ["company"], parquet)))
    refused = CliRunner().invoke(main, ["run", "--config", str(path), "--no-progress"])
    assert refused.exit_code == 2 and "0.1" in refused.stderr, refused.output
    assert (old / "unit-old.parquet").exists()
    rebuilt = CliRunner().invoke(
        main, ["run", "--config", str(path), "--no-progress", "--full-refresh"]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert len(pd.read_parquet(parquet / "company")) == 3
    assert (parquet / "_hs_extract.json").exists()


# --- the README's queries run as written ----------------------------------------------------


def readme_queries() -> list[str]:
    text = (Path(__file__).parents[1] / "docs" / "warehouse.md").read_text()
    section = text.split("## Querying the warehouse", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_the_readme_queries_run_on_a_loaded_destination(sim, dest, tmp_path):
    queries = readme_queries()
    assert len(queries) == 3
    reports = [
        "conversations_channel_volumes",
        "productivity",
        {"name": "user", "users": "all"},
        {"name": "user_happiness", "users": "all"},
    ]
    assert run(sim, config(sim, dest, reports)).ok
    with dest.engine.connect() as c:
        if dest.schema:
            c.execute(sa.text(f'set search_path to "{dest.schema}"'))
        volume, agents, trend = (c.execute(sa.text(q)).all() for q in queries)
    assert len(volume) == 3 and all(isinstance(v, int) for r in volume for v in r[1:])
    names = {u.name for u in sim.account.users}
    assert {r[0] for r in agents} <= names and len(agents) >= 5
    for _, replies, _ratings, happiness in agents:  # sum() of a bigint is numeric in PostgreSQL
        assert replies == int(replies) and (happiness is None or -100 <= happiness <= 100)
    assert len(trend) == 3 and all(r[1] is None or r[1] >= 0 for r in trend)
