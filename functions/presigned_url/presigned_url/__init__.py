"""The presigned-URL function's modules, layered (each imports only those above it):

* `errors`: `ConfigError` (a bad environment), `Failure` (an answer with a status), and the
  answer for an AWS error code;
* `logs`: one JSON line per event;
* `settings`: the environment (`contracts.presigned_url_env`) read and checked once;
* `cache`: a bounded cache whose entries expire;
* `request`: what the caller asked for (API Gateway's proxy event), checked;
* `mapping`: the tables' items and SageMaker's domains to a presign request (`contracts.tables`);
* `response`: API Gateway's proxy answers;
* `aws`: the clients and caches of one container, every AWS call;
* `handler`: the per-container state and the handler (I/O at the edges: AWS, the audit line).

A package rather than top-level modules, so that the tests can load both functions side by side
(`tools/handlers.py`): on Lambda the function's folder is the root and this is `presigned_url`.
"""
