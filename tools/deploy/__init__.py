"""Deploying the stacks with the Pulumi Automation API: `python -m tools.deploy` (see `cli`).

One module per layer, each importing only the ones above it:

- `backend`: the seam to Pulumi (`Backend`, `StackOps`), the real Automation API backend, results;
- `selection`: every stack as a `Target`, what `--stack` and `--profile` may pick;
- `runner`: an action over the picked stacks, wave by wave (`tools.graph.waves`);
- `clientconfig`: the client's config file from the shared stack's outputs;
- `matrix`: the CI workflows' stack matrices;
- `cli`: the command line.
"""
