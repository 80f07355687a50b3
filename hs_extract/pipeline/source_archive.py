"""Units from the raw archive: the source of ``rebuild``, with zero API requests.

Use it after an upgrade that adds columns or fixes a normalizer, or after ``_extra`` showed a
key a new version declares. The units rebuilt are those a run of this config would load (its
reports, slices, windows in the range; slices from the lists this account's last run
archived), each from this account's archive file, normalized again and loaded exactly as a
run loads it (same keys, same transaction with its state).

Rebuild is as complete, or as loud, as a run. Every unit asked for and not rebuilt is named
and makes the exit non-zero: lists not in the archive (their slices and the dimension tables
are unknown), a file missing, damaged or of another account, a unit fetched with other
settings (window size, time zone, filters, compare_previous). A unit the destination holds but
the archive lacks is also forgotten, so the next run fetches it. A unit whose loaded rows came
from a newer answer than the archived one (the archive was off that night) is kept, and named.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ConfigError, HSExtractError, StateError
from ..load.archive import Archive
from ..normalize import normalize_json
from .commit import Loader
from .fingerprint import content
from .lists import needed_for_slices, slice_ids
from .planner import Plan, Request, Slice, build_plan
from .result import RunResult
from .work import RequestWork, decode_answers

if TYPE_CHECKING:
    from .job import Job, Scope

__all__ = ["ArchiveSource"]

log = logging.getLogger("hs_extract.run")


@dataclass(frozen=True)
class ArchivedSlice(Slice):
    """The slice of an archived unit, as its key was written."""

    archived_key: str = ""

    @property
    def key(self) -> str:
        return self.archived_key


def need_archive(job: Job) -> Archive:
    archive = job.dest.archive
    if archive is None:
        raise ConfigError(
            "destinations.archive.path: not set, so there is nothing to rebuild from; "
            "allowed: a run with an archive first (destinations: archive: {path: …})"
        )
    old = archive.legacy()
    if old:
        shown = ", ".join(p.name for p in old[:4]) + (" …" if len(old) > 4 else "")
        raise StateError(
            f"archive: {archive.path} holds answers in hs_extract 0.1's layout ({shown}), "
            "which names no account; if they are this account's, move them into "
            f"{archive.root}/ (mkdir -p {archive.root} && mv {archive.path}/<those folders> "
            f"{archive.root}/), else move them elsewhere; then rebuild again"
        )
    return archive


class ArchiveSource:
    """The raw archive of this job's account as a job's source."""

    def __init__(self) -> None:
        #: (report, slice, window start) → when the answer its loaded rows came from arrived
        self._newest: dict[tuple, dt.datetime | None] = {}
        self._lists_problem = ""

    def start(self, job: Job, scope: Scope, full_refresh: bool) -> dict[str, list] | None:
        """The archive checked (set, of this layout); this account's last archived lists."""
        archive = need_archive(job)
        try:
            return archive.latest_lists()
        except StateError as exc:
            self._lists_problem = str(exc)
            return None

    def plan(self, job: Job, scope: Scope, listings, result: RunResult) -> Plan:
        """The units a run of this config would load, by the archived lists; the reports
        whose slices those lists decide are named when the lists are not there."""
        if listings is None:
            why = self._lists_problem or (
                f"not in the archive of this account ({need_archive(job).root})"
            )
            result.failures.append(("lists users, teams, mailboxes, tags", why))
            for rc in job.config.reports:
                if rc.name in scope.reports and needed_for_slices([rc]):
                    result.failures.append(
                        (rc.name, "its slices come from the lists, which are " + why)
                    )
        plan = build_plan(
            job.config,
            list(scope.windows),
            slice_ids(listings or {}),
            {},
            reports=list(scope.reports),
            full_refresh=True,
        )
        # when each loaded unit's answer arrived: an older archived answer never replaces it
        for row in job.state.state_rows():
            start = _utc(row["window_start"])
            self._newest[(row["report"], row["slice"], start)] = _utc(
                row.get("extracted_at") or row.get("loaded_at")
            )
        return plan

    def units(self, job: Job, result: RunResult, loader: Loader, progress) -> None:
        archive = need_archive(job)
        config = job.config
        settings = {n: content(config, config.report(n)) for n in result.plan.reports}
        work = RequestWork(
            None,  # no request: every answer comes from the archive
            job.sink,
            job.rows,
            job.parquet,
            None,
            {},
            lambda dropped: result.repeated(dropped, job.count_lock),
        )
        missing = []
        for req in result.plan.requests:
            for unit in req.units:
                job.stop.check()
                w = unit.window
                label = str(unit)
                path = archive.unit_file(unit.report, unit.slice.key, w.start, w.label)
                if not path.exists():
                    missing.append(unit.state_key)
                    result.missing.append(label)
                    continue
                try:
                    record = archive.read(path)
                    _same_unit(record, unit)
                    if record.get("settings") != settings[unit.report]:
                        raise StateError(
                            f"archived with other settings ({record.get('settings')}) than "
                            f"now ({settings[unit.report]}): not used"
                        )
                    meta, answers, params = decode_answers(record)
                    newest = self._newest.get(unit.state_key)
                    if newest is not None and newest > meta.extracted_at:
                        result.kept.append(
                            f"{label}: the destination holds a newer answer "
                            f"({newest:%Y-%m-%d %H:%M:%S} UTC) than the archive "
                            f"({meta.extracted_at:%Y-%m-%d %H:%M:%S} UTC)"
                        )
                        continue
                    slice_ = ArchivedSlice(grain=unit.slice.grain, archived_key=unit.slice.key)
                    archived = Request(unit.report, slice_, (w,), params)
                    tables = normalize_json(unit.report, answers.bodies, meta, job.sink)
                    work.queue(archived, tables, meta, loader, result, answers, archive=False)
                except (HSExtractError, KeyError, TypeError, ValueError) as exc:
                    text = str(exc) if isinstance(exc, HSExtractError) else _damaged(exc)
                    result.fail(label, f"{path.name}: {text}", job.count_lock)
                if progress:
                    progress(result, unit)
        held = {(r, s, w) for (r, s), ws in job.dest.loaded().items() for w in ws}
        lost = sorted(held & set(missing))
        if lost:  # the next run fetches them
            job.dest.forget(lost)


def _same_unit(record: dict, unit) -> None:
    """StateError unless the record is of ``unit`` (report, slice, window)."""
    found = (record["report"], record["slice"], record["window_start"])
    wanted = (unit.report, unit.slice.key, unit.window.start.isoformat())
    if found != wanted:
        raise StateError(f"archive file damaged: it holds {found}, not {wanted}")


def _damaged(exc: Exception) -> str:
    what = f"{exc}" if not isinstance(exc, KeyError) else f"key {exc} is missing"
    return f"archive file damaged: {what}"


def _utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
