"""The local platform. Its code imports the functions and the common layer as Lambda would see them
(each function's package at the top level, the layer's `python/` folder on the path)."""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
for _path in (_ROOT / "layers" / "common" / "python", _ROOT / "functions"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
