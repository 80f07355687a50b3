"""``rebuild``: the tables remade from the raw archive, with zero API requests.

Use it after an upgrade that adds columns or fixes a normalizer, or after ``_extra`` showed a
key a new version declares: every archived unit a run of this config would load (its reports,
slices, windows in the range) and that was fetched with the settings of now (window size, time
zone, filters, compare_previous) is normalized again and loaded exactly as a run loads it (same
keys, same transaction with its state), so a rebuilt table equals the table of the run that
fetched the archive. A window the destination holds but the archive lacks (or holds with other
settings) is named, and forgotten: the next ``run`` fetches it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import pendulum

from ..errors import ConfigError, HSExtractError
from ..load.archive import Archive
from ..normalize import normalize_json
from .fingerprint import content
from .lists import slice_ids, snapshot_tables
from .planner import Plan, Request, build_plan, unit_label
from .result import RunResult
from .windows import Window
from .work import decode_answers

__all__ = ["rebuild"]

log = logging.getLogger("hs_extract.run")


@dataclass(frozen=True)
class ArchivedSlice:
    """The slice of an archived unit, as its key was written."""

    key: str


def rebuild(pipeline, start=None, end=None, reports=None) -> RunResult:
    """Re-normalize and reload archived units of ``reports`` in [start, end)."""
    archive: Archive | None = pipeline.dest.archive
    if archive is None:
        raise ConfigError(
            "destinations.archive.path: not set, so there is nothing to rebuild from; "
            "allowed: a run with an archive first (destinations: archive: {path: …})"
        )
    config = pipeline.config
    windows = pipeline.windows(start, end)
    names = [r.name for r in config.reports if not reports or r.name in reports]
    settings = {n: content(config, config.report(n)) for n in names}
    with pipeline.dest.locked():
        pipeline.dest.adopt_config(names)  # refused if the loaded windows hold other settings
        run_id = pendulum.now("UTC").format("YYYYMMDDTHHmmss") + "-" + uuid.uuid4().hex[:6]
        result = RunResult(run_id, Plan([], windows), removed=[])
        started = dt.datetime.now(dt.UTC)
        pipeline._log_run(result, started_at=started, status="running")
        listings = {k: v for k, v in (archive.latest_lists() or {}).items() if k != "format"}
        if listings:
            pipeline.dest.write_snapshot(snapshot_tables(listings, run_id, pipeline.sink))
        # the units a run of this config would load (its slices, windows and filters), by the
        # lists the last run archived: only those are rebuilt
        plan = build_plan(
            config, windows, slice_ids(listings), {}, reports=names, full_refresh=True
        )
        wanted = {u.state_key for u in plan.units}
        loader, work = pipeline._workers(result, None, {}, None)
        rebuilt = set()
        other: dict[str, int] = {}
        try:
            for path in archive.units(names):
                record = archive.read(path)
                window = Window(
                    pendulum.parse(record["window_start"]).in_timezone("UTC"),
                    pendulum.parse(record["window_end"]).in_timezone("UTC"),
                    record["window_date"],
                )
                report = record["report"]
                if (report, record["slice"], window.start) not in wanted:
                    continue
                if record.get("settings") != settings[report]:  # fetched with other settings
                    other[report] = other.get(report, 0) + 1
                    continue
                meta, answers, params = decode_answers(record)
                req = Request(report, ArchivedSlice(record["slice"]), (window,), params)
                try:
                    tables = normalize_json(report, answers.bodies, meta, pipeline.sink)
                    work.queue(req, tables, meta, loader, result, answers, archive=False)
                except HSExtractError as exc:
                    label = unit_label(report, record["slice"], window.label)
                    result.failures.append((label, str(exc)))
                result.plan.requests.append(req)
                rebuilt.add((report, record["slice"], window.start))
        finally:
            loader.close()
        for report, n in other.items():
            log.warning(
                "%s: %d archived units were fetched with other settings than %s: not used",
                report,
                n,
                settings[report],
            )
        # planned units the archive lacks: named; those the destination held are forgotten,
        # so the next run fetches them
        missing = sorted(wanted - rebuilt)
        held = {(r, s, w) for (r, s), ws in pipeline.dest.loaded().items() for w in ws}
        if held & set(missing):
            pipeline.dest.forget(sorted(held & set(missing)))
        labels = {w.start: w.label for w in windows}
        result.missing = [unit_label(r, s, labels[w]) for r, s, w in missing]
        result.unknown_keys = set(pipeline.sink.unknown)
        pipeline._log_run(
            result, started_at=started, status=result.status, finished_at=dt.datetime.now(dt.UTC)
        )
    return result
