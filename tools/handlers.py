"""The Lambda handlers as Python modules, for the tests and the benchmarks.

Each handler is an `app.py` in its own folder under `functions/` (that folder is its Lambda
package), so both cannot be imported as `app`: each is loaded under a name of its own.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from components.config import PROJECT_DIR

FUNCTIONS = PROJECT_DIR / "functions"


def load(folder: str, module_name: str | None = None, *, fresh: bool = False) -> ModuleType:
    """`functions/<folder>/app.py` as module `module_name` (default `<folder>_app`).

    Loaded once and reused, unless `fresh` (a new module object, reading its environment anew)."""
    name = module_name or f"{folder}_app"
    if fresh or name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FUNCTIONS / folder / "app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
