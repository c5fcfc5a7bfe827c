"""The authorizer's modules, layered (each imports only those above it):

* `errors`: `ConfigError` (a bad environment) and `Refused` (a request that must be refused);
* `logs`: one JSON line per event, attacker-supplied values shortened;
* `urls`: the https-or-loopback rule of the issuer and key set URLs;
* `settings`: the environment (`contracts.authorizer_env`) read and checked once;
* `jwk`: which algorithms and keys are accepted, a JWKS document's usable keys (loaded);
* `fetch`: the key set over HTTP (short timeout, no redirect, bounded size);
* `cache`: the key set kept per container, refetched for an unknown kid at most once a minute;
* `verify`: the token's signature and claims;
* `groups`: the person's groups from the verified claims;
* `header`: the bearer token from API Gateway's event;
* `policy`: the IAM policy for `GET /<username>` and `GET /<username>/targets`;
* `sigv4`: AWS Signature Version 4 for one JSON POST (standard library);
* `kms`: KMS `Sign` over a kept HTTPS connection;
* `proof`: the proof of this decision (`contracts.proof`), signed by KMS;
* `handler`: the per-container state and the handler (I/O at the edges: KMS, the log lines).

A package rather than top-level modules, so that the tests can load both functions side by side
(`tools/handlers.py`): on Lambda the function's folder is the root and this is `authorizer`.
"""
