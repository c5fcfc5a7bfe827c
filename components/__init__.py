"""The studio-access Pulumi program: one module per component, each taking Args of plain values.

`stacks` (the only reader of the config models, `components.config`) builds each stack from its
components: `network_hub` and `access_proxy` (composed of `access_mappings`, `access_identity`,
`access_function`, `access_api`) in the shared account, with the optional `onprem` simulator;
`studio_domain` and `access_role` in each LOB account; `vpc` is the VPC they share. Helpers:
`iam`, `security`, `provider`, `refs` (other stacks' outputs), `outputs` (output names),
`packaging` (Lambda zips), `paths`.
"""
