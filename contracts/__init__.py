"""Contracts between the parts of studio-access: one owner per name that crosses a boundary.

Standard library only, so each Lambda package ships the modules its handler needs
(`components/packaging.py` copies this folder into every zip) and the program, the handlers, the
policy pack and the tools import the same names:

* `tags`: tag keys and values that the components set and the policy pack keys on;
* `tables`: the users and LOBs tables' key and attribute names, and the items the stack writes;
* `authorizer_env`, `presigned_url_env`: each function's environment (names, defaults, bounds);
* `lambda_env`: what Lambda and the AWS SDK define and the handlers read (never the stack);
* `names`: the patterns of names that both the config and the handlers check.

Stack output names live in `components/outputs.py` (exporter and reader are both the program).
"""
