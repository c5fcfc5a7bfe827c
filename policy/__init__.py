"""The studio-access policy pack: `rules` (the checks), `runner` (the offline plan's use of them),
`pack` (the same checks as pulumi_policy policies); `__main__.py` builds the pack."""
