"""Dagster: every report of two Help Scout accounts as partitioned assets.

    pip install 'hs-extract[dagster]'                       # dagster and its web UI
    export ACME_HELPSCOUT_CLIENT_ID=… ACME_HELPSCOUT_CLIENT_SECRET=…
    export GLOBEX_HELPSCOUT_CLIENT_ID=… GLOBEX_HELPSCOUT_CLIENT_SECRET=…
    dagster instance concurrency set hs_extract_acme 1      # one run at a time per account
    dagster instance concurrency set hs_extract_globex 1
    dagster dev -f examples/dagster/definitions.py

The two accounts' configs (acme.yaml, globex.yaml) are beside this file; HS_CONFIG_DIR points
elsewhere.

A backfill over a date range loads exactly those windows, in one run per asset.
"""

import os
from pathlib import Path

from hs_extract.dagster import definitions

CONFIG_DIR = Path(os.environ.get("HS_CONFIG_DIR", Path(__file__).parent))

defs = definitions(
    {"acme": CONFIG_DIR / "acme.yaml", "globex": CONFIG_DIR / "globex.yaml"},
)
