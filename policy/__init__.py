"""The studio-access policy pack.

* one module per service, each rule defined beside its check: `apigateway`, `lambda_`,
  `dynamodb`, `iam`, `sagemaker`, `network`, `cognito`, `cloudwatch`, `ram`;
* `rules`: the registry (every rule, in pack order);
* shared parts: `model` (`Rule`, `Resource`, the levels), `resource_types`, `_props` (reading
  properties), `_references` (how resources name each other), `iam_documents` (the IAM engine);
* `runner`: the offline plan's use of the rules; `pack`: the same rules as pulumi_policy
  policies; `__main__.py` builds the pack when the Pulumi CLI runs this folder.
"""
