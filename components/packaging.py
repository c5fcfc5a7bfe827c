"""Reproducible Lambda packages: the same sources give the same bytes, so a second `pulumi up`
shows no Lambda change.

A package is the function's folder (its `*.py` files, without `__pycache__`, tests or the
requirements files), the `contracts/` package (its `*.py` files, at `contracts/`: the handlers
import their environment's names, the table schema and the name patterns from it) plus its
dependencies, installed for the Lambda platform and architecture from binary wheels only
(`pip install --platform manylinux2014_aarch64 --only-binary=:all:`) from the function's hashed
lock, `requirements.lock`: every distribution, transitive ones included, pinned to one version
and one wheel's SHA-256 (`--require-hashes`: pip refuses anything else, and refuses a dependency
the lock does not list). `requirements.txt` holds the direct pins a person edits; the lock is
made from it for the Lambda platform with `python -m components.packaging lock` (docs/platform.md).
Entries are sorted, timestamps fixed, modes normalised, byte-code never written. Dependencies
are installed once per lock content into `build/deps/` and reused;
`STUDIO_ACCESS_PACKAGE_DEPS=0` (the offline plan and the tests set it) packages the sources alone,
so nothing needs the network on every run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .paths import BUILD_DIR, CONTRACTS_DIR, FUNCTIONS_DIR

LAMBDA_PYTHON = "3.14"
LAMBDA_RUNTIME = f"python{LAMBDA_PYTHON}"
LAMBDA_ARCHITECTURE = "arm64"
LAMBDA_PLATFORM = "manylinux2014_aarch64"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
EXCLUDED_DIRS = {"__pycache__", "tests", "test", ".pytest_cache"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}
EXCLUDED_NAMES = {"requirements.txt", "requirements.lock", ".DS_Store"}
REQUIREMENTS = "requirements.txt"
LOCK = "requirements.lock"
LOCK_HEADER = """\
# The {function} function's dependencies for {platform} / CPython {python}: every distribution,
# transitive ones included, with the SHA-256 of its wheel. Made from requirements.txt by
#   python -m components.packaging lock
# Edit requirements.txt, never this file; packaging installs it with --require-hashes.
"""
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


def _platform_args() -> list[str]:
    return [
        "--only-binary=:all:",
        "--platform",
        LAMBDA_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON,
    ]


def _pip(args: list[str], what: str) -> None:
    cmd = [sys.executable, "-m", "pip", *args]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{what} for {LAMBDA_PLATFORM}/python{LAMBDA_PYTHON}:\n{result.stderr.strip()}")


def wheel_pin(wheel: Path) -> tuple[str, str]:
    """(normalised distribution name, version) of a wheel file."""
    name, version = wheel.name[: -len(".whl")].split("-")[:2]
    return re.sub(r"[-_.]+", "-", name).lower(), version


def lock_text(function: str, wheels: list[Path]) -> str:
    """The lock for these wheels: one `name==version --hash=sha256:...` per distribution, sorted."""
    pins = sorted((wheel_pin(w), hashlib.sha256(w.read_bytes()).hexdigest()) for w in wheels)
    names = [name for (name, _), _ in pins]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{function}: two wheels of {', '.join(duplicates)}")
    header = LOCK_HEADER.format(function=function, platform=LAMBDA_PLATFORM, python=LAMBDA_PYTHON)
    return header + "".join(f"{name}=={version} \\\n    --hash=sha256:{digest}\n" for (name, version), digest in pins)


def lock(function_dir: Path) -> Path:
    """Resolve the function's requirements.txt for Lambda's platform and write its hashed lock."""
    requirements = function_dir / REQUIREMENTS
    with tempfile.TemporaryDirectory() as tmp:
        _pip(
            [
                "download",
                "--quiet",
                "--disable-pip-version-check",
                *_platform_args(),
                "--dest",
                tmp,
                "-r",
                str(requirements),
            ],
            f"could not resolve {requirements}",
        )
        text = lock_text(function_dir.name, sorted(Path(tmp).glob("*.whl")))
    out = function_dir / LOCK
    out.write_text(text)
    return out


def locked_pins(lock_file: Path) -> dict[str, str]:
    """name -> version of every distribution a lock pins."""
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", lock_file.read_text(), re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def installed_distributions(target: Path) -> dict[str, str]:
    """name -> version of every distribution installed in a `pip install --target` folder."""
    found = {}
    for info in target.glob("*.dist-info"):
        name, version = info.name[: -len(".dist-info")].split("-")[:2]
        found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def install_dependencies(requirements: Path, build_dir: Path = BUILD_DIR) -> Path:
    """A hashed lock installed for Lambda's platform (every hash checked), cached by its content."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    target = build_dir / "deps" / f"{LAMBDA_PLATFORM}-py{LAMBDA_PYTHON}-{digest}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    args = [
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--require-hashes",
        *_platform_args(),
        "--target",
        str(target),
        "-r",
        str(requirements),
    ]
    _pip(args, f"could not install {requirements}")
    shutil.rmtree(target / "bin", ignore_errors=True)
    (target / ".complete").write_text(" ".join(args))
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
    lock_file, requirements = function_dir / LOCK, function_dir / REQUIREMENTS
    if with_dependencies and lock_file.exists() and locked_pins(lock_file):
        deps = install_dependencies(lock_file, build_dir)
        entries += [(n, p) for n, p in files(deps) if n != ".complete"]
    elif with_dependencies and requirements.exists() and requirements.read_text().strip():
        raise RuntimeError(f"{requirements} has pins but no {LOCK}: run python -m components.packaging lock")
    out = build_dir / f"{name}.zip"
    write_zip(entries, out)
    sha = base64.b64encode(hashlib.sha256(out.read_bytes()).digest()).decode()
    return Package(out, sha, with_dependencies)


def main(argv: list[str]) -> int:
    """`python -m components.packaging lock [FUNCTION ...]`: (re)write the functions' hashed locks."""
    if not argv or argv[0] != "lock":
        print("usage: python -m components.packaging lock [function ...]", file=sys.stderr)
        return 2
    names = argv[1:] or sorted(p.name for p in FUNCTIONS_DIR.iterdir() if (p / REQUIREMENTS).exists())
    for name in names:
        print(f"wrote {lock(FUNCTIONS_DIR / name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
