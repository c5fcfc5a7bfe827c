"""The authorizer: cold start against `import boto3`, warm verification against a bare RSA check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap

from components.paths import PROJECT_DIR
from contracts import lambda_env
from testkit import env as environment
from testkit.events import auth_event
from testkit.jwks import JwksServer
from testkit.tokens import unb64
from tools import handlers

from .common import access_token, authorizer_environment, median_ms, quiet, signing_key, time_calls

# Run in a fresh interpreter; times from before the first import (interpreter start-up excluded).
_COLD = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import json, os, sys
    sys.path[:0] = [os.environ["BENCH_FUNCTION_DIR"], os.environ["BENCH_PROJECT_DIR"]]
    import app
    t1 = time.perf_counter()
    event = json.loads(os.environ["BENCH_EVENT"])
    real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
    result = app.handler(event, None)
    t2 = time.perf_counter()
    assert result["context"]["username"] == "user-lob-a"
    real_stdout.write(json.dumps({"imports": t1 - t0, "total": t2 - t0}))
    """
)
_BOTO3 = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import boto3
    t1 = time.perf_counter()
    import json, sys
    sys.stdout.write(json.dumps({"total": t1 - t0}))
    """
)


def _fresh(code: str, env: dict) -> dict:
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return json.loads(run.stdout)


def cold_start(runs: int = 9, bytecode: bool = True) -> dict:
    """Fresh interpreters, interleaved. ``bytecode=False``: no .pyc anywhere (every module is
    compiled, as for the packaged function, whose zip carries none), on both sides alike."""
    key = signing_key()
    with JwksServer() as server:
        server.set_keys(key)
        event = auth_event(f"Bearer {access_token(key)}")
        base = {k: v for k, v in os.environ.items() if k != lambda_env.FUNCTION_NAME.name}
        if not bytecode:
            base.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="bench-nopyc-"))
        env = dict(
            base,
            **authorizer_environment(server.url),
            BENCH_FUNCTION_DIR=str(handlers.folder("authorizer")),
            BENCH_PROJECT_DIR=str(PROJECT_DIR),
            BENCH_EVENT=json.dumps(event),
        )
        _fresh(_COLD, env), _fresh(_BOTO3, base)  # warm the OS file cache and the bytecode caches
        authorizer, boto3 = [], []
        for _ in range(runs):  # interleaved, so that machine noise hits both alike
            authorizer.append(_fresh(_COLD, env))
            boto3.append(_fresh(_BOTO3, base))
    return {
        "authorizer_imports_ms": median_ms([r["imports"] for r in authorizer]),
        "authorizer_cold_ms": median_ms([r["total"] for r in authorizer]),
        "import_boto3_ms": median_ms([r["total"] for r in boto3]),
        "runs": runs,
        "bytecode": bytecode,
    }


def warm(n: int = 3000) -> dict:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = signing_key()
    with JwksServer() as server, environment.patched(authorizer_environment(server.url)):
        server.set_keys(key)
        app = handlers.load("authorizer")
        handlers.reset("authorizer")
        try:
            token = access_token(key)
            event = auth_event(f"Bearer {token}")
            verify_token = handlers.module("authorizer", "verify").verify_token
            with quiet():
                state = handlers.module("authorizer", "handler").state()
                app.handler(event, None)  # loads the key set
                verify = time_calls(lambda: verify_token(token, state.settings, state.keys), n)
                handler = time_calls(lambda: app.handler(event, None), n)
        finally:
            handlers.reset("authorizer")
    signing_input, _, signature = token.rpartition(".")
    sig, data, public = unb64(signature), signing_input.encode(), key.public
    bare = time_calls(lambda: public.verify(sig, data, padding.PKCS1v15(), hashes.SHA256()), n)
    return {
        "bare_rsa_us": median_ms(bare) * 1000,
        "verify_token_us": median_ms(verify) * 1000,
        "handler_us": median_ms(handler) * 1000,
        "n": n,
    }
