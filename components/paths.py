"""Where the project's files are: one place, so no module builds these paths itself."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = PROJECT_DIR / "functions"
CONTRACTS_DIR = PROJECT_DIR / "contracts"
BUILD_DIR = PROJECT_DIR / "build"
POLICY_DIR = PROJECT_DIR / "policy"
PROGRAM = PROJECT_DIR / "__main__.py"
