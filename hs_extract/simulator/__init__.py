"""The simulator: a local, deterministic imitation of the Help Scout Reports API.

Takes HTTP requests as Help Scout would (token, report paths, list endpoints); answers them
from a synthetic account made from a seed, with Help Scout's shapes, strict 400s, a rolling
rate limit and seeded faults. It imports nothing of the client, so it stays an independent
oracle for demos, tests and benchmarks (``Simulator.client()`` builds one on request).

>>> from hs_extract.simulator import Simulator
>>> with Simulator(seed=1) as sim:  # doctest: +SKIP
...     sim.client().get_company(start_date="2025-01-01", end_date="2025-01-08")
"""

from typing import TYPE_CHECKING

from ..lazy import lazy

if TYPE_CHECKING:
    from .account import Account
    from .server import Simulator
    from .traffic import FAULT_KINDS, Faults, RequestLog

#: each public name and the module it comes from (imported on first use)
_NAMES = {
    "Account": ".account",
    "Simulator": ".server",
    "FAULT_KINDS": ".traffic",
    "Faults": ".traffic",
    "RequestLog": ".traffic",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "FAULT_KINDS",
    "Account",
    "Faults",
    "RequestLog",
    "Simulator",
]
