"""studio-access: load and validate this stack's config, build the stack for its role, export."""

import pulumi

from components import config, stacks

loaded = config.load(pulumi.get_stack(), stacks.runtime_config(), stacks.project_dir(), pulumi.runtime.is_config_secret)
for name, value in stacks.build(loaded).items():
    pulumi.export(name, value)
