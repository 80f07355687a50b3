"""Dagster: every report of two Help Scout accounts as partitioned assets.

    pip install 'hs-extract[dagster]' dagster-webserver
    dagster instance concurrency set hs_extract_acme 1      # one run at a time per account
    dagster instance concurrency set hs_extract_globex 1
    HS_CONFIG_DIR=configs dagster dev -f examples/dagster/definitions.py

A backfill over a date range loads exactly those windows, in one run per asset.
"""

import os
from pathlib import Path

from hs_extract.dagster import definitions

CONFIG_DIR = Path(os.environ.get("HS_CONFIG_DIR", "configs"))

defs = definitions(
    {"acme": CONFIG_DIR / "acme.yaml", "globex": CONFIG_DIR / "globex.yaml"},
)
