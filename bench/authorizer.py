"""The authorizer: cold start from its built zip against `import boto3`, warm authorization (the
token verified and the proof built) against a bare RSA check, and KMS Sign behind an injected delay.

Warm figures are interleaved: each round times a block of bare RSA checks, then a block of the
measured call, and the ratio is taken per round (the median of the rounds' ratios), so that the
noise of a shared machine hits both sides of a ratio alike."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from components import packaging
from contracts import lambda_env
from testkit import env as environment
from testkit import kms as fake_kms
from testkit.events import auth_event
from testkit.jwks import JwksServer
from testkit.tokens import unb64
from tools import handlers

from .common import access_token, authorizer_environment, median_ms, quiet, signing_key

# Run in a fresh interpreter; times from before the first import (interpreter start-up excluded).
_COLD = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import json, os, sys
    sys.path[:0] = [os.environ["BENCH_FUNCTION_DIR"]]
    import app
    t1 = time.perf_counter()
    event = json.loads(os.environ["BENCH_EVENT"])
    real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
    result = app.handler(event, None)
    t2 = time.perf_counter()
    assert result["context"]["username"] == "user-lob-a" and result["context"]["proof"]
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


def _fresh(code: str, env: dict[str, str]) -> dict[str, float]:
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    result: dict[str, float] = json.loads(run.stdout)
    return result


def kms_environment(server: fake_kms.FakeKms) -> dict[str, str]:
    """The authorizer's KMS settings and the role credentials Lambda would give it, for the loopback KMS."""
    return {
        "PROOF_KEY_ID": server.key_id,
        "AWS_REGION": "us-east-1",
        lambda_env.ENDPOINT_URL_KMS.name: server.url,
        lambda_env.ACCESS_KEY_ID.name: fake_kms.ACCESS_KEY,
        lambda_env.SECRET_ACCESS_KEY.name: fake_kms.SECRET_KEY,
        lambda_env.SESSION_TOKEN.name: fake_kms.SESSION_TOKEN,
    }


def unzipped_package(into: Path) -> tuple[Path, int]:
    """The authorizer's zip as the program builds it (sources and contracts), unpacked as Lambda
    unpacks it, with its dependencies beside it; and the zip's size.

    The zip's pinned dependencies are built for Lambda (manylinux aarch64, CPython 3.14) and
    cannot load on this machine: this interpreter's own copies of the same distributions
    (`cryptography`, `cffi`, `pycparser`) are copied in instead, without their bytecode, as the
    zip carries them."""
    import cryptography

    package = packaging.build(
        handlers.folder("authorizer"), "bench-authorizer", with_dependencies=False, build_dir=into / "build"
    )
    task = into / "task"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(task)
    site = Path(cryptography.__file__).resolve().parent.parent
    for entry in site.iterdir():
        if entry.name in ("cryptography", "cffi", "pycparser") or entry.name.startswith("_cffi_backend"):
            if entry.is_dir():
                shutil.copytree(entry, task / entry.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(entry, task / entry.name)
    return task, package.path.stat().st_size


def cold_start(runs: int = 9) -> dict[str, object]:
    """Fresh interpreters, interleaved: the unpacked zip imported and called once (keys from a
    loopback key set, the proof signed by a loopback KMS). Two packages: as the zip is today (no
    bytecode: each of its modules, dependencies included, compiled at every cold start; the
    runtime's standard library has its own), and with bytecode compiled by this interpreter (what
    a zip carrying bytecode for its runtime gives); `import boto3` (with bytecode) as the yardstick."""
    key = signing_key()
    work = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    task, size = unzipped_package(work)
    compiled = work / "task-pyc"
    shutil.copytree(task, compiled)
    compileall.compile_dir(str(compiled), quiet=1)
    with JwksServer() as server, fake_kms.FakeKms() as kms:
        server.set_keys(key)
        event = auth_event(f"Bearer {access_token(key)}")
        base = {k: v for k, v in os.environ.items() if k not in (lambda_env.FUNCTION_NAME.name, "PYTHONPATH")}
        base.pop("PYTHONPYCACHEPREFIX", None)
        function_env = {**authorizer_environment(server.url), **kms_environment(kms), "BENCH_EVENT": json.dumps(event)}
        variants = {
            "no_pyc": {"BENCH_FUNCTION_DIR": str(task), "PYTHONDONTWRITEBYTECODE": "1"},
            "pyc": {"BENCH_FUNCTION_DIR": str(compiled), "PYTHONDONTWRITEBYTECODE": "1"},
        }
        results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        boto3: list[dict[str, float]] = []
        for extra in variants.values():  # warm the OS file cache
            _fresh(_COLD, dict(base, **function_env, **extra))
        _fresh(_BOTO3, base)
        for _ in range(runs):  # interleaved, so that machine noise hits every side alike
            for name, extra in variants.items():
                results[name].append(_fresh(_COLD, dict(base, **function_env, **extra)))
            boto3.append(_fresh(_BOTO3, base))
    out: dict[str, object] = {
        "runs": runs,
        "zip_bytes": size,
        "python": sys.version.split()[0],
        "import_boto3_ms": median_ms([r["total"] for r in boto3]),
    }
    for name, found in results.items():
        out[name] = {
            "imports_ms": median_ms([r["imports"] for r in found]),
            "cold_ms": median_ms([r["total"] for r in found]),
        }
    return out


def interleaved(baseline: Callable[[], object], measured: Callable[[], object], rounds: int, block: int) -> dict:
    """Per round: a block of ``baseline`` calls, then a block of ``measured`` ones; per-call medians
    over the rounds and the median of the rounds' ratios."""
    base_times, measured_times, ratios = [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(block):
            baseline()
        t1 = time.perf_counter()
        for _ in range(block):
            measured()
        t2 = time.perf_counter()
        base, meas = (t1 - t0) / block, (t2 - t1) / block
        base_times.append(base)
        measured_times.append(meas)
        ratios.append(meas / base)
    return {
        "baseline_us": statistics.median(base_times) * 1e6,
        "measured_us": statistics.median(measured_times) * 1e6,
        "ratio": statistics.median(ratios),
    }


def warm(rounds: int = 60, block: int = 50) -> dict[str, object]:
    """Warm calls against a bare RSA-SHA256 verify (cryptography) of the same token, interleaved.

    The handler's call is the whole warm authorization: header, verification, policy, the proof
    built and signed over SigV4 (the request made and signed, KMS's answer read), the log line;
    KMS's own round trip is left out here (a canned answer instead of the network) and measured
    by `kms_delay`."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = signing_key()
    with JwksServer() as server, fake_kms.FakeKms() as kms:
        server.set_keys(key)
        with environment.patched({**authorizer_environment(server.url), **kms_environment(kms)}):
            app = handlers.load("authorizer")
            handlers.reset("authorizer")
            try:
                token = access_token(key)
                event = auth_event(f"Bearer {token}")
                verify_token = handlers.module("authorizer", "verify").verify_token
                with quiet():
                    state = handlers.module("authorizer", "handler").state()
                    app.handler(event, None)  # loads the key set, signs once over the loopback
                    answer = _canned_answer(app, event, state)
                    state.kms.transport = lambda path, body, headers: (200, answer)
                    signing_input, _, signature = token.rpartition(".")
                    sig, data, public = unb64(signature), signing_input.encode(), key.public

                    def bare() -> None:
                        public.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())

                    verify = interleaved(bare, lambda: verify_token(token, state.settings, state.keys), rounds, block)
                    handler = interleaved(bare, lambda: app.handler(event, None), rounds, block)
            finally:
                handlers.reset("authorizer")
    return {
        "bare_rsa_us": statistics.median([verify["baseline_us"], handler["baseline_us"]]),
        "verify_token_us": verify["measured_us"],
        "verify_ratio": verify["ratio"],
        "handler_us": handler["measured_us"],
        "handler_ratio": handler["ratio"],
        "rounds": rounds,
        "block": block,
    }


def _canned_answer(app: object, event: dict, state: object) -> bytes:
    """KMS's answer to one Sign, recorded from the loopback KMS (a real signature)."""
    recorded: list[bytes] = []
    kms = state.kms  # type: ignore[attr-defined]
    send = kms._send

    def record(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        status, data = send(path, body, headers)
        recorded.append(data)
        return status, data

    kms.transport = record
    app.handler(event, None)  # type: ignore[attr-defined]
    return recorded[-1]


def kms_delay(delay: float = 0.020, requests: int = 40) -> dict[str, float]:
    """The authorizer's call with KMS behind ``delay`` (loopback KMS, kept connection): the median
    against the delay alone (time.sleep, measured the same way)."""
    key = signing_key()
    with JwksServer() as server, fake_kms.FakeKms() as kms:
        server.set_keys(key)
        with environment.patched({**authorizer_environment(server.url), **kms_environment(kms)}):
            app = handlers.load("authorizer")
            handlers.reset("authorizer")
            try:
                event = auth_event(f"Bearer {access_token(key)}")
                with quiet():
                    app.handler(event, None)  # key set and connection set up
                    kms.delay = delay
                    sleep_alone, calls = [], []
                    for _ in range(requests):
                        t0 = time.perf_counter()
                        time.sleep(delay)
                        t1 = time.perf_counter()
                        app.handler(event, None)
                        t2 = time.perf_counter()
                        sleep_alone.append(t1 - t0)
                        calls.append(t2 - t1)
                    signs = handlers.module("authorizer", "handler").state().kms.calls
            finally:
                handlers.reset("authorizer")
    return {
        "delay_ms": delay * 1000,
        "sleep_alone_ms": median_ms(sleep_alone),
        "median_ms": median_ms(calls),
        "p90_ms": sorted(calls)[int(len(calls) * 0.9)] * 1000,
        "kms_calls_per_request": (signs - 1) / requests,
    }
