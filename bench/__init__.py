"""InsureMall benchmarks: `python -m bench` runs them all, `python -m bench rating` runs one.

Importing the package puts the function code and the shared layer on sys.path, the way Lambda
(and pytest's `pythonpath` setting) does, so `catalog`, `checkout`, `insuremall` ... import.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONPATH = ("functions", "layers/common/python", ".")

for _entry in reversed(PYTHONPATH):
    _path = str(ROOT / _entry)
    if _path not in sys.path:
        sys.path.insert(0, _path)
