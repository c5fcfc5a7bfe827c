"""Lambda packages are reproducible (identical sources give byte-identical archives) and carry the
contracts their handler imports."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from components import packaging
from components.paths import CONTRACTS_DIR, FUNCTIONS_DIR, PROJECT_DIR
from contracts import tags

CONTRACT_MODULES = sorted(f"contracts/{path.name}" for path in CONTRACTS_DIR.glob("*.py"))


def _sources(root):
    (root / "pkg").mkdir(parents=True)
    (root / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "requirements.txt").write_text("")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "app.cpython-314.pyc").write_bytes(b"\x00junk")
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text("def test(): pass\n")
    (root / "test_local.py").write_text("def test(): pass\n")
    return root


def test_identical_sources_give_identical_bytes(tmp_path):
    src = _sources(tmp_path / "fn")
    first = packaging.build(src, "one", with_dependencies=False, build_dir=tmp_path / "b1")
    os.utime(src / "app.py", (1_000_000_000, 1_000_000_000))  # a checkout has other timestamps
    second = packaging.build(src, "one", with_dependencies=False, build_dir=tmp_path / "b2")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256


def test_a_changed_source_changes_the_hash(tmp_path):
    src = _sources(tmp_path / "fn")
    before = packaging.build(src, "one", with_dependencies=False, build_dir=tmp_path / "b")
    (src / "pkg" / "util.py").write_text("X = 2\n")
    after = packaging.build(src, "one", with_dependencies=False, build_dir=tmp_path / "b")
    assert before.sha256 != after.sha256


def test_byte_code_tests_and_requirements_are_left_out(tmp_path):
    src = _sources(tmp_path / "fn")
    package = packaging.build(src, "one", with_dependencies=False, build_dir=tmp_path / "b")
    with zipfile.ZipFile(package.path) as archive:
        assert archive.namelist() == ["app.py", *CONTRACT_MODULES, "pkg/util.py"]
        for info in archive.infolist():
            assert info.date_time == packaging.FIXED_TIME
            assert (info.external_attr >> 16) == 0o100644


def test_a_function_folder_cannot_shadow_the_contracts(tmp_path):
    src = _sources(tmp_path / "fn")
    (src / "contracts").mkdir()
    (src / "contracts" / "tags.py").write_text("FUNCTION_TAG = 'other'\n")
    with pytest.raises(ValueError, match=r"two files for contracts/tags\.py"):
        packaging.build(src, "one", with_dependencies=False, build_dir=tmp_path / "b")


def test_dependencies_are_built_for_lambda_arm64_from_the_hashed_lock_and_give_the_same_bytes_twice(tmp_path):
    """The authorizer's lock, installed for manylinux aarch64 / Python 3.14, twice from scratch."""
    source = FUNCTIONS_DIR / "authorizer"
    first = packaging.build(source, "authorizer", with_dependencies=True, build_dir=tmp_path / "one")
    with zipfile.ZipFile(first.path) as archive:
        names = archive.namelist()
    assert "app.py" in names and "cryptography/__init__.py" in names and "contracts/__init__.py" in names
    assert not [n for n in names if n.endswith(("requirements.txt", "requirements.lock"))]
    binaries = [n for n in names if n.startswith("cryptography/") and n.endswith(".so")]
    assert binaries, "cryptography's compiled module is missing"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    with zipfile.ZipFile(first.path) as archive:
        elf = archive.read(binaries[0])[:20]
    assert elf[:4] == b"\x7fELF" and int.from_bytes(elf[18:20], "little") == 183  # EM_AARCH64
    # A second build in another folder installs everything again: the same zip, byte for byte.
    second = packaging.build(source, "authorizer", with_dependencies=True, build_dir=tmp_path / "two")
    assert second.path.read_bytes() == first.path.read_bytes() and second.sha256 == first.sha256


@pytest.mark.parametrize("function", ["authorizer", "presigned_url"])
def test_the_lock_covers_every_installed_distribution_and_agrees_with_the_direct_pins(tmp_path, function):
    lock = FUNCTIONS_DIR / function / packaging.LOCK
    pinned = packaging.locked_pins(lock)
    text = lock.read_text()
    assert text.count("--hash=sha256:") == len(pinned)  # one wheel hash per distribution
    direct = dict(
        line.split("==", 1)
        for line in (FUNCTIONS_DIR / function / packaging.REQUIREMENTS).read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    for name, version in direct.items():
        # the same normalised name and version: else requirements.txt changed and the lock did not follow
        (key, _) = packaging.wheel_pin(Path(f"{name}-{version}-py3-none-any.whl"))
        assert pinned.get(key) == version.strip(), f"{function}: python -m components.packaging lock"
    installed = packaging.installed_distributions(packaging.install_dependencies(lock, tmp_path))
    assert installed == pinned


def test_a_wheel_whose_hash_is_not_the_locked_one_is_refused(tmp_path):
    lock = FUNCTIONS_DIR / "presigned_url" / packaging.LOCK
    text = lock.read_text()
    digest = text.split("--hash=sha256:")[1][:64]
    tampered = tmp_path / packaging.LOCK
    tampered.write_text(text.replace(digest, "0" * 64))
    with pytest.raises(RuntimeError, match="could not install"):
        packaging.install_dependencies(tampered, tmp_path / "build")


def test_a_lock_pins_each_wheel_by_name_version_and_hash(tmp_path):
    wheels = []
    for name in ("Zeta_Pkg-1.0-py3-none-any.whl", "alpha.pkg-2.0.post1-cp314-cp314-manylinux2014_aarch64.whl"):
        (tmp_path / name).write_bytes(name.encode())
        wheels.append(tmp_path / name)
    text = packaging.lock_text("fn", wheels)
    digest = hashlib.sha256(wheels[1].name.encode()).hexdigest()
    assert f"alpha-pkg==2.0.post1 \\\n    --hash=sha256:{digest}\n" in text
    assert text.index("alpha-pkg") < text.index("zeta-pkg==1.0")
    (tmp_path / "Zeta_Pkg-1.1-py3-none-any.whl").write_bytes(b"other")
    with pytest.raises(ValueError, match="two wheels of zeta-pkg"):
        packaging.lock_text("fn", [*wheels, tmp_path / "Zeta_Pkg-1.1-py3-none-any.whl"])


def test_pins_without_a_lock_are_refused(tmp_path):
    src = _sources(tmp_path / "fn")
    (src / "requirements.txt").write_text("six==1.17.0\n")
    with pytest.raises(RuntimeError, match=r"no requirements\.lock"):
        packaging.build(src, "one", with_dependencies=True, build_dir=tmp_path / "b")


def test_the_plan_packages_sources_only(planned):
    assert os.environ.get("STUDIO_ACCESS_PACKAGE_DEPS") == "0"
    assert packaging.dependencies_enabled() is False


# ---------------------------------------------------------------------------- the planned packages


def _planned_packages(planned) -> dict[str, str]:
    """kind -> the zip each planned Lambda function deploys (build/<stack>-<kind>.zip)."""
    functions = [r for r in planned["shared"].resources if r.type == "aws:lambda/function:Function"]
    return {fn.inputs["tags"][tags.FUNCTION_TAG]: fn.inputs["code"].path for fn in functions}


def test_each_planned_package_carries_the_contracts(planned):
    packages = _planned_packages(planned)
    assert sorted(packages) == sorted(tags.FUNCTIONS)
    for kind, path in packages.items():
        assert path == str(PROJECT_DIR / "build" / f"shared-{kind}.zip")
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert "contracts/__init__.py" in names
            assert [n for n in names if n.startswith("contracts/")] == CONTRACT_MODULES, kind
            for name in CONTRACT_MODULES:
                assert archive.read(name) == (PROJECT_DIR / name).read_bytes(), name


# Run with `python -I` (no PYTHONPATH, no current directory, no user site): the unzipped package and
# the interpreter's site-packages (the functions' dependencies) are all there is.
_IMPORT_ALONE = """
import json, os, sys
root = sys.argv[1]
sys.path.insert(0, root)
import app
assert callable(app.handler)
project, venv = sys.argv[2] + os.sep, sys.prefix + os.sep  # the venv may live in the project
ours = {name: m.__file__ for name, m in sorted(sys.modules.items()) if getattr(m, "__file__", None)}
print(json.dumps({
    "from_project": sorted(n for n, f in ours.items() if f.startswith(project) and not f.startswith(venv)),
    "from_package": sorted(name for name, f in ours.items() if f.startswith(root + os.sep)),
}))
"""


@pytest.mark.parametrize("kind", tags.FUNCTIONS)
def test_the_handler_imports_from_the_unzipped_package_alone(planned, tmp_path, kind):
    root = tmp_path / kind
    with zipfile.ZipFile(_planned_packages(planned)[kind]) as archive:
        archive.extractall(root)
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    run = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_ALONE, str(root), str(PROJECT_DIR)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["from_project"] == []
    assert "app" in found["from_package"] and "contracts" in found["from_package"]
