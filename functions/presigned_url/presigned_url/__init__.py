"""The presigned-URL function's modules, layered (each imports only those above it):

* `errors`: `ConfigError` (a bad environment), `Failure` (an answer with a status), and the
  answer for an AWS error code;
* `logs`: one JSON line per event;
* `proof`: the authorizer's proof, verified with the KMS key's public key (standard library);
* `settings`: the environment (`contracts.presigned_url_env`) read and checked once;
* `cache`: a bounded cache whose entries expire;
* `request`: who asks (the proof, bound to this request), which route and what for (API
  Gateway's proxy event);
* `mapping`: the tables' items, the proof's groups and SageMaker's domains and spaces to an
  entitlement, a presign request or a list of targets (`contracts.tables`), the person as STS's
  source identity and the tag of a just-in-time profile;
* `response`: API Gateway's proxy answers;
* `aws`: the clients and caches of one container, every AWS call;
* `handler`: the per-container state and the handler (I/O at the edges: AWS, the audit line).

A package rather than top-level modules, so that the tests can load both functions side by side
(`tools/handlers.py`): on Lambda the function's folder is the root and this is `presigned_url`.
"""
