"""The notebook stage: :class:`ReportsClient`, the API client with tidy tables on top.

It takes what a user asks for in Python (a report and its parameters), fetches it through the
API stage, and hands back pandas DataFrames made by the normalize stage: the tables a run
would load, without a destination. It sits at the top of the stack, beside the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .api.catalog import ReportSpec, get_report
from .api.client import ApiClient
from .api.params import apply_defaults, normalize_params
from .normalize import RequestMeta, normalize

if TYPE_CHECKING:  # pandas is loaded by frames(), not by a run
    import pandas as pd

__all__ = ["ReportsClient", "to_frame"]


class ReportsClient(ApiClient):
    """A client for the Help Scout Mailbox API 2.0 reports.

    >>> client = ReportsClient(client_id="…", client_secret="…")  # doctest: +SKIP
    >>> client.get_company(start_date="2025-01-01", end_date="2025-02-01")  # doctest: +SKIP
    >>> client.frames("conversations_drilldown", start_date="2025-01-01")  # doctest: +SKIP

    ``session``, ``clock``, ``sleep``, ``jitter`` and ``now`` are seams for tests.
    """

    def frames(self, report: str | ReportSpec, **params: Any) -> dict[str, pd.DataFrame]:
        """Every page of ``report`` as tidy, typed DataFrames keyed by table name.

        Integer columns use pandas' nullable ``Int64`` so ids and counts stay integers when a
        value is missing; timestamps are UTC.
        """
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        effective = normalize_params(spec, apply_defaults(spec, params, self._now()))
        pages = list(self.iter_pages(spec, **params))
        tables = normalize(
            spec, pages if spec.paginated else pages[0], RequestMeta.for_params(effective)
        )
        return {name: to_frame(table) for name, table in tables.items()}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with nullable integer and boolean columns (so missing
    values do not turn ints into floats)."""
    import pandas as pd

    types = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=types.get)
