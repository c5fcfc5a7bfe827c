"""The doctor: `python -m tools.doctor` checks a deployed system link by link, read-only, in every
account, and names each broken link's account, resource and fix (docs/doctor.md).

One module per layer, each importing only the ones above it:

- `links`: the result type (`Link`, `Status`, `Where`) and the usual fix;
- `readonly`: the read-only guard on every session, and the IAM action of each call;
- `accounts`: a read-only session per account (profile, role ARN, or the stack file's);
- `expect`: what should be deployed, from the offline plan, in the deployed stacks' ids;
- `fetch`: the AWS reads (Describe/Get/List/Simulate), one function per fact;
- `shared_links`, `lob_links`: the links, judged from the facts (pure);
- `sources`: the stacks' outputs, from `pulumi stack output --json` files or the backend;
- `run`: each stack's reads and judgements, in the order a request travels;
- `report`: the text and JSON reports, the exit code;
- `cli`: the command line.
"""
