"""Reproducible Lambda packages: the same sources give the same bytes, so a second `pulumi up`
shows no Lambda change.

A package is the function's folder (its `*.py` files, without `__pycache__`, tests or the
requirements file), the `contracts/` package (its `*.py` files, at `contracts/`: the handlers
import their environment's names, the table schema and the name patterns from it) plus its
pinned dependencies, installed for the Lambda platform and
architecture from binary wheels only (`pip install --platform manylinux2014_aarch64
--only-binary=:all:`). Entries are sorted, timestamps fixed, modes normalised, byte-code never
written. Dependencies are installed once per requirements file content into `build/deps/` and
reused; `STUDIO_ACCESS_PACKAGE_DEPS=0` (the offline plan and the tests set it) packages the
sources alone, so nothing needs the network on every run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .paths import BUILD_DIR, CONTRACTS_DIR

LAMBDA_PYTHON = "3.14"
LAMBDA_RUNTIME = f"python{LAMBDA_PYTHON}"
LAMBDA_ARCHITECTURE = "arm64"
LAMBDA_PLATFORM = "manylinux2014_aarch64"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
EXCLUDED_DIRS = {"__pycache__", "tests", "test", ".pytest_cache"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}
EXCLUDED_NAMES = {"requirements.txt", ".DS_Store"}
CONTRACTS_PACKAGE = "contracts"


@dataclass(frozen=True)
class Package:
    path: Path
    # base64 SHA-256 of the zip: Lambda's `source_code_hash`.
    sha256: str
    with_dependencies: bool


def _included(rel: Path) -> bool:
    if any(part in EXCLUDED_DIRS for part in rel.parts[:-1]):
        return False
    name = rel.name
    if name in EXCLUDED_NAMES or rel.suffix in EXCLUDED_SUFFIXES:
        return False
    return not (name.startswith("test_") and name.endswith(".py"))


def files(root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every file under root that belongs in a package, sorted."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            rel = path.relative_to(root)
            if _included(rel):
                found.append((rel.as_posix(), path))
    return sorted(found)


def contract_files(contracts_dir: Path = CONTRACTS_DIR) -> list[tuple[str, Path]]:
    """(archive name, path) of the contracts package's modules, under `contracts/`, sorted."""
    return [(f"{CONTRACTS_PACKAGE}/{name}", path) for name, path in files(contracts_dir) if name.endswith(".py")]


def write_zip(entries: list[tuple[str, Path]], out: Path) -> None:
    """A zip whose bytes depend only on the entries' names and contents."""
    duplicates = sorted(name for name, count in Counter(name for name, _ in entries).items() if count > 1)
    if duplicates:
        raise ValueError(f"{out.name}: two files for {', '.join(duplicates)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(entries, key=lambda e: e[0]):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.create_system = 3  # unix, whatever builds it
            archive.writestr(info, path.read_bytes())
    tmp.replace(out)


def install_dependencies(requirements: Path, build_dir: Path = BUILD_DIR) -> Path:
    """Pinned requirements installed for Lambda's platform, cached by the file's content."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    target = build_dir / "deps" / f"{LAMBDA_PLATFORM}-py{LAMBDA_PYTHON}-{digest}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--only-binary=:all:",
        "--platform",
        LAMBDA_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON,
        "--target",
        str(target),
        "-r",
        str(requirements),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"could not install {requirements} for {LAMBDA_PLATFORM}/python{LAMBDA_PYTHON}:\n{result.stderr.strip()}"
        )
    shutil.rmtree(target / "bin", ignore_errors=True)
    (target / ".complete").write_text(" ".join(cmd[3:]))
    return target


def dependencies_enabled() -> bool:
    return os.environ.get("STUDIO_ACCESS_PACKAGE_DEPS", "1") != "0"


def build(
    function_dir: Path, name: str, *, with_dependencies: bool | None = None, build_dir: Path = BUILD_DIR
) -> Package:
    """Package one function folder and the contracts into build/<name>.zip."""
    if with_dependencies is None:
        with_dependencies = dependencies_enabled()
    entries = files(function_dir) + contract_files()
    requirements = function_dir / "requirements.txt"
    if with_dependencies and requirements.exists() and requirements.read_text().strip():
        deps = install_dependencies(requirements, build_dir)
        entries += [(n, p) for n, p in files(deps) if n != ".complete"]
    out = build_dir / f"{name}.zip"
    write_zip(entries, out)
    sha = base64.b64encode(hashlib.sha256(out.read_bytes()).digest()).decode()
    return Package(out, sha, with_dependencies)
