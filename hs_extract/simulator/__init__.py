"""A local, deterministic imitation of the Help Scout Reports API, for demos, tests and benchmarks.

>>> from hs_extract.simulator import Simulator
>>> with Simulator(seed=1) as sim:  # doctest: +SKIP
...     sim.client().get_company(start_date="2025-01-01", end_date="2025-01-08")

The account (users, teams, mailboxes, tags, customers, a conversation log) is generated from the
seed; the 32 reports are computed from that log; the simulator checks parameters with its own
table written from the reference doc, enforces a rolling rate limit and injects seeded faults.
"""

from .account import Account
from .server import FAULT_KINDS, Faults, RequestLog, Simulator

__all__ = ["FAULT_KINDS", "Account", "Faults", "RequestLog", "Simulator"]
