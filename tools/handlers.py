"""The Lambda handlers as Python modules, for the tests and the benchmarks.

Each function is a folder under `functions/` (its Lambda package root): an `app.py` (the entry
point, `app.handler`) and a package named like the folder with its modules
(`functions/authorizer/authorizer/`, `functions/presigned_url/presigned_url/`). Both entry points
cannot be imported as `app`, so each is loaded under a name of its own; the packages have distinct
names and are imported under them, as on Lambda, without putting either folder on `sys.path`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from components.paths import FUNCTIONS_DIR

FOLDERS = ("authorizer", "presigned_url")


def folder(name: str) -> Path:
    """`functions/<name>`: a function's Lambda package root."""
    if name not in FOLDERS:
        raise ValueError(f"no function folder {name!r}; the functions are {', '.join(FOLDERS)}")
    return FUNCTIONS_DIR / name


def _exec(module_name: str, path: Path, *, package: bool = False) -> ModuleType:
    locations = [str(path.parent)] if package else None
    spec = importlib.util.spec_from_file_location(module_name, path, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def package(name: str) -> ModuleType:
    """The function's package (`functions/<name>/<name>/`), imported as `<name>` as on Lambda."""
    if name not in sys.modules:
        _exec(name, folder(name) / name / "__init__.py", package=True)
    return sys.modules[name]


def load(name: str) -> ModuleType:
    """`functions/<name>/app.py`, the entry point, as module `<name>_app` (loaded once)."""
    module_name = f"{name}_app"
    if module_name not in sys.modules:
        package(name)
        _exec(module_name, folder(name) / "app.py")
    return sys.modules[module_name]


def module(name: str, part: str) -> ModuleType:
    """One module of a function's package, e.g. `module("authorizer", "cache")`."""
    package(name)
    return importlib.import_module(f"{name}.{part}")


def reset(name: str) -> None:
    """Forget the function's per-container state; its next call reads the environment again."""
    module(name, "handler").reset()
