"""Lambda packages are reproducible: identical sources give byte-identical archives."""

from __future__ import annotations

import os
import zipfile

from components import packaging
from tests.conftest import ROOT


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
        assert archive.namelist() == ["app.py", "pkg/util.py"]
        for info in archive.infolist():
            assert info.date_time == packaging.FIXED_TIME
            assert (info.external_attr >> 16) == 0o100644


def test_dependencies_are_built_for_lambda_arm64_from_wheels(tmp_path):
    """The authorizer's pinned requirements, installed for manylinux aarch64 / Python 3.14, twice."""
    build_dir = tmp_path / "build"
    first = packaging.build(ROOT / "functions" / "authorizer", "authorizer", with_dependencies=True, build_dir=build_dir)
    with zipfile.ZipFile(first.path) as archive:
        names = archive.namelist()
    assert "app.py" in names and "joserfc/__init__.py" in names
    binaries = [n for n in names if n.startswith("cryptography/") and n.endswith(".so")]
    assert binaries, "cryptography's compiled module is missing"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    with zipfile.ZipFile(first.path) as archive:
        elf = archive.read(binaries[0])[:20]
    assert elf[:4] == b"\x7fELF" and int.from_bytes(elf[18:20], "little") == 183  # EM_AARCH64
    (first.path).unlink()
    second = packaging.build(ROOT / "functions" / "authorizer", "authorizer", with_dependencies=True, build_dir=build_dir)
    assert second.sha256 == first.sha256


def test_the_plan_packages_sources_only(planned):
    assert os.environ.get("STUDIO_ACCESS_PACKAGE_DEPS") == "0"
    assert packaging.dependencies_enabled() is False
