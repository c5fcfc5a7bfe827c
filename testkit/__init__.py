"""Helpers shared by the handlers' tests (`tests/functions`, `tests/e2e`) and the benchmarks (`bench/`).

* `tokens`: signing keys and tokens shaped like Cognito's, signed with cryptography alone;
* `jwks`: a key set served on 127.0.0.1, whose answers a test can change;
* `events`: API Gateway's events for the authorizer and the presigned-URL function;
* `env`: the functions' environments by their contracts' names;
* `aws`: emulated AWS (moto) for the presigned-URL function, with the tables of `contracts.tables`.

Each module imports only what it needs (`aws` alone needs moto), so the benchmarks stay light.
"""
