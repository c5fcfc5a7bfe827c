"""The studio-access policy pack, as `pulumi preview --policy-pack policy` runs it.

Only builds the pack: constructing `PolicyPack` starts the analyzer server and blocks, so
nothing imports this module; the rules live in the service modules (collected by `rules.py`)
and `pack.py` wraps them.

The Pulumi CLI runs this folder as a script (`python -m pulumi.policy <engine> .`, working
directory `policy/`): this folder is on `sys.path`, the project root is not. The pack imports
`contracts` (the tag names the components set) from the project root, and its own modules as
the package `policy`, so the root replaces this folder on the path: every module is then loaded
once, under one name, as the tests and the offline plan load it.
"""

import sys
from pathlib import Path

_PACK_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _PACK_DIR]
sys.path.insert(0, str(_PACK_DIR.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402  (after the path is set)

from policy import pack  # noqa: E402

PolicyPack(
    name=pack.NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=pack.policies(),
)
