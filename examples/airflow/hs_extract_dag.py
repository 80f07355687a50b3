"""Airflow: the nightly hs-extract run of several Help Scout accounts, one mapped task each.

Put this file in your DAGs folder and the configs in HS_CONFIG_DIR (default
/opt/airflow/hs_extract). Each config names its secrets as ${HS_<ACCOUNT>_CLIENT_SECRET};
set those in the worker's environment (or an Airflow secrets backend exporting them).
Each mapped task gets its config in HS_EXTRACT_CONFIG; ``append_env=True`` adds it to the
worker's environment (PATH, the secrets, AWS_* for a bucket) instead of replacing it, which
is what ``env=`` alone would do.

The exit status is the CLI's: 0 loaded, 1 units failed (retried by the next run), 3 the run's
budget was spent (the next run goes on: skipped, not failed), 75 another run holds the
destination, 2 bad config. Two runs of one account never overlap: the destination's lock
queues the second (--wait) instead of failing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.decorators import dag, task
from airflow.operators.bash import BashOperator

CONFIG_DIR = Path(os.environ.get("HS_CONFIG_DIR", "/opt/airflow/hs_extract"))


@dag(
    schedule="30 2 * * *",  # after midnight in the accounts' time zones
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # hs-extract's own state knows what is missing: no Airflow catch-up
    max_active_runs=1,
    tags=["help scout", "hs_extract"],
)
def hs_extract_nightly():
    @task
    def configs() -> list[str]:
        return sorted(str(p) for p in CONFIG_DIR.glob("*.yaml"))

    BashOperator.partial(
        task_id="hs_extract_run",
        bash_command=(
            'hs-extract run --config "$HS_EXTRACT_CONFIG" --no-progress --log-format json '
            "--wait 3600 --max-minutes 50"
        ),
        append_env=True,
        skip_on_exit_code=[3],  # a spent budget: the next run goes on
        retries=2,
        retry_delay=pendulum.duration(minutes=10),
    ).expand(env=configs().map(lambda path: {"HS_EXTRACT_CONFIG": path}))


hs_extract_nightly()
