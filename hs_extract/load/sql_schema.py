"""The SQL tables: declared from the table specs, created, grown, and the layout checked.

Report tables get ``window_date`` and ``_unit`` beside their declared columns, and a primary
key on their row identity. Bookkeeping: ``_hs_extract_state`` (one row per loaded unit),
``_hs_extract_runs`` (one per run) and ``_hs_extract_meta`` (the layout version). A
destination written by another layout (0.1 wrote layout 1 and no meta table) is refused, or
rebuilt when asked: nothing of two layouts is ever mixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from ..errors import LoadError
from ..normalize.names import EXTRA_COLUMN

if TYPE_CHECKING:  # declaring a table needs Arrow's types; the bookkeeping tables do not
    import pyarrow as pa

    from ..normalize.schema import TableSpec

__all__ = [
    "LAYOUT",
    "META",
    "RUNS",
    "STATE",
    "UNIT_COLUMN",
    "WINDOW_DATE",
    "bookkeeping",
    "declare",
    "prepare_tables",
    "sql_type",
]

STATE = "_hs_extract_state"
RUNS = "_hs_extract_runs"
META = "_hs_extract_meta"
UNIT_COLUMN = "_unit"
WINDOW_DATE = "window_date"
#: the table layout this version writes; 0.1 wrote layout 1 (and no meta table), 0.1's
#: later sessions layout 2 (no grain column)
LAYOUT = 3
#: what changed in each layout, for the message that names an old destination
CHANGES = {
    2: "typed summaries, __deltas tables, primary keys, user_overall",
    3: "a grain column in every row key, so several window sizes share one warehouse",
}
#: _extra holds JSON: jsonb where the database has it (COPY parses the JSON text)
EXTRA_TYPE = sa.Text().with_variant(postgresql.JSONB(), "postgresql")


def sql_type(t: pa.DataType) -> sa.types.TypeEngine:
    """The SQL column type of a declared Arrow type."""
    import pyarrow as pa

    if pa.types.is_date(t):
        return sa.Date()
    if pa.types.is_timestamp(t):
        return sa.DateTime(timezone=True)
    if pa.types.is_int64(t):
        return sa.BigInteger()
    if pa.types.is_float64(t):
        return sa.Double()
    if pa.types.is_boolean(t):
        return sa.Boolean()
    return sa.Text()


def _type_family(t: sa.types.TypeEngine) -> str:
    """A coarse family to compare declared with existing column types across dialects."""
    if isinstance(t, sa.DateTime):
        return "timestamp"
    if isinstance(t, sa.Date):
        return "date"
    if isinstance(t, sa.Integer):
        return "integer"
    if isinstance(t, (sa.Float, sa.Numeric)):
        return "float"
    if isinstance(t, sa.Boolean):
        return "boolean"
    return "text"


def declare(metadata: sa.MetaData, spec: TableSpec) -> sa.Table:
    """The SQL table of a declared table spec.

    A report table gets ``window_date`` (the window's local date) and ``_unit``, the id of the
    replacement unit (report, slice, window) its rows belong to. Its primary key is ``_unit``
    and the table's own key columns: the row's identity, so a duplicate cannot exist even if
    two writers meet, and the index that replaces a unit (delete by ``_unit``). A dimension
    table's primary key is its ``id``. Column comments carry each column's meaning and unit.
    """
    docs = {c.name: c.described for c in spec.columns}
    cols = []
    for f in spec.schema:
        col_type = EXTRA_TYPE if f.name == EXTRA_COLUMN else sql_type(f.type)
        doc = docs.get(f.name) or (f.metadata or {}).get(b"doc", b"").decode()
        # keys are the API's ids, never made up by the database (DuckDB has no SERIAL)
        cols.append(sa.Column(f.name, col_type, comment=doc or None, autoincrement=False))
        if f.name == "window_end":
            cols.append(
                sa.Column(
                    WINDOW_DATE,
                    sa.Date,
                    nullable=False,
                    comment="the window's local date (windows.timezone)",
                )
            )
    if spec.dimension:
        key = sa.PrimaryKeyConstraint(*spec.key)
    else:
        cols.append(
            sa.Column(
                UNIT_COLUMN,
                sa.BigInteger,
                nullable=False,
                autoincrement=False,
                comment="hash of (report, slice, window): the replacement unit",
            )
        )
        key = sa.PrimaryKeyConstraint(UNIT_COLUMN, *spec.key)
    what = f"Help Scout report {spec.report}" if not spec.dimension else "Help Scout list"
    return sa.Table(spec.name, metadata, *cols, key, comment=f"{what}: {spec.grain}")


def bookkeeping(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table, sa.Table]:
    """The state, runs and meta tables."""
    state = sa.Table(
        STATE,
        metadata,
        sa.Column("report", sa.Text, primary_key=True),
        sa.Column("slice", sa.Text, primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Text, nullable=False),
        # what the API said the unit holds (a listing's count) and the pages it announced:
        # rows != expected_rows is a reconciliation warning
        sa.Column("expected_rows", sa.BigInteger),
        sa.Column("pages", sa.BigInteger),
        # when the answer the unit's rows come from arrived: rebuild never puts an older
        # archived answer over them
        sa.Column("extracted_at", sa.DateTime(timezone=True)),
    )
    runs = sa.Table(
        RUNS,
        metadata,
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("units_planned", sa.BigInteger),
        sa.Column("units_loaded", sa.BigInteger),
        sa.Column("units_failed", sa.BigInteger),
        sa.Column("requests", sa.BigInteger),
        sa.Column("retries", sa.BigInteger),
        sa.Column("rate_limited", sa.BigInteger),
        sa.Column("rows", sa.BigInteger),
        sa.Column("repeats_dropped", sa.BigInteger),
        sa.Column("mismatches", sa.BigInteger),
        sa.Column("message", sa.Text),
    )
    meta = sa.Table(
        META,
        metadata,
        sa.Column("setting", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    return state, runs, meta


def prepare_tables(
    conn: Connection,
    metadata: sa.MetaData,
    tables: Iterable[sa.Table],
    schema: str | None,
    where: str,
    rebuild: bool = False,
) -> None:
    """Check the layout (or rebuild), create missing tables, add columns a grown schema
    declares, refuse hand-made changes. ``where`` names the destination in messages."""
    if schema:
        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    found = _layout(conn, schema)
    if found not in (None, LAYOUT):
        if not rebuild:
            old = "hs_extract 0.1 (layout 1)" if found == 1 else f"layout {found}"
            raise LoadError(
                f"sql: {where} holds tables of {old}; this version writes layout {LAYOUT} "
                f"({changes_since(found)}): run once with --full-refresh to drop hs_extract's "
                "tables there and reload them, or point destinations.sql at a new database or "
                "schema"
            )
        _drop_ours(conn, schema)
    metadata.create_all(conn)
    books = [metadata.tables[_key(schema, n)] for n in (STATE, RUNS)]
    _grow(conn, [*tables, *books], schema)
    meta = metadata.tables[_key(schema, META)]
    conn.execute(meta.delete().where(meta.c.setting == "layout"))
    conn.execute(meta.insert().values(setting="layout", value=str(LAYOUT)))


def changes_since(layout: int) -> str:
    """What the layouts after ``layout`` changed, for the message naming an old one."""
    return "; ".join(text for n, text in CHANGES.items() if n > layout) or "another layout"


def _key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _layout(conn: Connection, schema: str | None) -> int | None:
    """The layout a destination holds: None when hs_extract never wrote there."""
    inspector = sa.inspect(conn)
    names = set(inspector.get_table_names(schema=schema))
    if META in names:
        meta = sa.table(META, sa.column("setting"), sa.column("value"), schema=schema)
        value = conn.execute(sa.select(meta.c.value).where(meta.c.setting == "layout")).scalar()
        return int(value) if value and value.isdigit() else 0
    return 1 if STATE in names else None


def _drop_ours(conn: Connection, schema: str | None) -> None:
    """Drop every table hs_extract wrote (those with ``_unit``, state, meta); keep the runs."""
    inspector = sa.inspect(conn)
    prep = conn.dialect.identifier_preparer
    for name in inspector.get_table_names(schema=schema):
        cols = _columns(conn, name, schema)
        if UNIT_COLUMN in cols or name in (STATE, META):
            qualified = (
                f"{prep.quote_schema(schema)}.{prep.quote(name)}" if schema else prep.quote(name)
            )
            conn.execute(sa.text(f"DROP TABLE {qualified}"))


def _columns(conn: Connection, name: str, schema: str | None) -> dict[str, str]:
    """The columns a table has in the database: name → its type as the database says it."""
    if conn.dialect.name == "duckdb":  # duckdb-engine reflects through pg_catalog, which
        # DuckDB only partly has: its information_schema says the same
        rows = conn.execute(
            sa.text(
                "select column_name, data_type from information_schema.columns "
                "where table_name = :t and table_schema = :s"
            ),
            {"t": name, "s": schema or "main"},
        )
        return {n: t for n, t in rows}
    return {c["name"]: c["type"] for c in sa.inspect(conn).get_columns(name, schema)}  # type: ignore[misc]  # a type, or DuckDB's name of one


def _family_of(found) -> str:
    """:func:`_type_family` of a reflected type, or of a type name (DuckDB)."""
    if not isinstance(found, str):
        return _type_family(found)
    t = found.upper()
    for family, words in (
        ("timestamp", ("TIMESTAMP",)),
        ("date", ("DATE",)),
        ("integer", ("INT",)),
        ("float", ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC")),
        ("boolean", ("BOOL",)),
    ):
        if any(w in t for w in words):
            return family
    return "text"


def _grow(conn: Connection, tables: Iterable[sa.Table], schema: str | None) -> None:
    prep = conn.dialect.identifier_preparer
    for table in tables:
        existing = _columns(conn, table.name, schema)
        for col in table.columns:
            if col.name not in existing:
                conn.execute(
                    sa.text(
                        f"ALTER TABLE {prep.format_table(table)} ADD COLUMN "
                        f"{prep.quote(col.name)} {col.type.compile(conn.dialect)}"
                    )
                )
            elif _family_of(existing[col.name]) != _type_family(col.type):
                raise LoadError(
                    f"sql: column {table.name}.{col.name} is {existing[col.name]} in the "
                    f"database but hs_extract declares {col.type.compile(conn.dialect)}; it "
                    "was altered by hand: restore it or drop the table to rebuild it"
                )
