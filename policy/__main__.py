"""The studio-access policy pack, as `pulumi preview --policy-pack policy` runs it.

Only builds the pack: constructing `PolicyPack` starts the analyzer server and blocks, so
nothing imports this module; the policies live in `rules.py` and `pack.py`.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

import pack  # the CLI runs this folder with the folder on sys.path

PolicyPack(
    name=pack.NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=pack.policies(),
)
