"""`python -m bench`: run every benchmark, print the results as Markdown tables, and exit non-zero
when a target is missed.

python -m bench            all of it (about two minutes)
python -m bench --json F   also write the raw numbers to F

Targets (each row says met or MISSED):
- presigned URL, warm request: exactly one AWS call, median within 5 ms of one injected delay;
- authorizer, warm authorization (header, verification, policy, the proof built and its KMS
  request signed, KMS's answer read, the log line; KMS's round trip itself excluded): within 3x a
  bare RSA-SHA256 verify of the same token, measured interleaved in the same run;
- authorizer, token verification alone: within 3x the same;
- authorizer with KMS behind the injected delay: one Sign per authorization, median within 5 ms
  of the delay;
- authorizer cold start from its built zip (imports + first call): below `import boto3`, with the
  zip as built (no bytecode) and with bytecode.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from typing import Any

from . import authorizer, jwt_libraries, presigned


def _verdict(ok: bool, misses: list[str], what: str) -> str:
    if not ok:
        misses.append(what)
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--json", metavar="FILE", help="write the raw numbers to FILE")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="delay injected into every AWS call (default 20)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    delay = args.delay_ms / 1000
    misses: list[str] = []

    p: dict[str, Any] = presigned.run(delay=delay)
    warm: dict[str, Any] = authorizer.warm()
    kms: dict[str, Any] = authorizer.kms_delay(delay=delay)
    cold: dict[str, Any] = authorizer.cold_start()
    libs = jwt_libraries.run()

    print(f"# Benchmarks ({platform.python_implementation()} {platform.python_version()}, {platform.machine()})\n")
    print(f"## Presigned-URL function, {p['delay_ms']:.0f} ms injected into every AWS call\n")
    print("| request | AWS calls | median latency | p90 |")
    print("| --- | --- | --- | --- |")
    print(
        f"| first on a new container (clients built, every lookup) | {p['first_calls']} | {p['first_ms']:.1f} ms (one request) | |"
    )
    over = p["warm_median_ms"] - p["sleep_alone_ms"]
    warm_ok = p["warm_calls_per_request"] == 1 and over <= 5
    print(
        f"| warm, the proof verified (target: 1 call, median within 5 ms of one delay) | {p['warm_calls_per_request']:g} ({', '.join(p['warm_operations'])}) "
        f"| {p['warm_median_ms']:.1f} ms | {p['warm_p90_ms']:.1f} ms |"
    )
    print(
        f"| another person in a warm container (their own role session) | {len(p['new_person_operations'])} ({', '.join(p['new_person_operations'])}) | {p['new_person_ms']:.1f} ms (one request) | |"
    )
    print(
        f"| a person seen within the hour, past the cache TTL (the DISABLED flag read again) | {len(p['after_ttl_operations'])} ({', '.join(p['after_ttl_operations'])}) | {p['after_ttl_ms']:.1f} ms (one request) | |"
    )
    print(
        f"| nothing kept between requests (the sample's shape) | {p['scratch_calls_per_request']:g} | {p['scratch_median_ms']:.1f} ms | |"
    )
    print(f"| baseline: the injected delay alone | | {p['sleep_alone_ms']:.1f} ms | |")
    print(
        f"\nWarm median minus one delay: {over:.1f} ms ({_verdict(warm_ok, misses, 'presigned warm request')}); "
        f"the proof's verification alone (pure-Python RSA-2048): {p['proof_verify_us']:.0f} µs.\n"
    )

    print("## Authorizer\n")
    print("| measure | authorizer | baseline (same run) | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    bare = warm["bare_rsa_us"]
    print(
        f"| warm authorization: header, verification, policy, the proof built and its KMS request signed (KMS's answer canned), log line; "
        f"{warm['rounds']} interleaved rounds of {warm['block']} | {warm['handler_us']:.0f} µs | bare RSA-SHA256 verify (cryptography): {bare:.0f} µs "
        f"| {warm['handler_ratio']:.2f}x | within 3x: {_verdict(warm['handler_ratio'] <= 3, misses, 'warm authorization')} |"
    )
    print(
        f"| warm verification alone (`verify_token`: every check) | {warm['verify_token_us']:.0f} µs | {bare:.0f} µs "
        f"| {warm['verify_ratio']:.2f}x | within 3x: {_verdict(warm['verify_ratio'] <= 3, misses, 'warm verification')} |"
    )
    kms_over = kms["median_ms"] - kms["sleep_alone_ms"]
    kms_ok = kms["kms_calls_per_request"] == 1 and kms_over <= 5
    print(
        f"| authorization with KMS Sign behind {kms['delay_ms']:.0f} ms (loopback KMS, kept connection), median (p90) "
        f"| {kms['median_ms']:.1f} ms ({kms['p90_ms']:.1f} ms), {kms['kms_calls_per_request']:g} Sign per call | the delay alone: {kms['sleep_alone_ms']:.1f} ms "
        f"| +{kms_over:.1f} ms | 1 Sign, within 5 ms of the delay: {_verdict(kms_ok, misses, 'authorization with KMS')} |"
    )
    boto3 = cold["import_boto3_ms"]
    for name, label in (
        ("no_pyc", "as built: no bytecode in the zip"),
        ("pyc", "with bytecode (compiled by this interpreter)"),
    ):
        c = cold[name]
        ratio = c["cold_ms"] / boto3
        print(
            f"| cold start from the built zip ({label}): imports + first call (keys and KMS on 127.0.0.1), median of {cold['runs']} fresh interpreters "
            f"| {c['cold_ms']:.1f} ms (imports {c['imports_ms']:.1f} ms) | `import boto3` alone: {boto3:.1f} ms "
            f"| {ratio:.2f}x | below 1x: {_verdict(ratio < 1, misses, f'cold start ({name})')} |"
        )
    print(
        f"\n(the zip: {cold['zip_bytes']} bytes of sources and contracts; its dependencies, built for "
        f"manylinux aarch64 / CPython 3.14, cannot load on {platform.machine()} / Python {cold['python']}: "
        "this interpreter's own cryptography, cffi and pycparser, without bytecode, stand in.)"
    )

    print("\n## JWT libraries on a Cognito-shaped access token (RS256, RSA-2048; signature, iss, exp)\n")
    print("| library | version | warm verify (median) | x bare RSA | cold: import + key + first verify |")
    print("| --- | --- | --- | --- | --- |")
    for name, r in libs.items():
        if not r["installed"]:
            print(f"| {name} | not installed (`pip install -r bench/requirements.txt`) | | | |")
            continue
        print(
            f"| {name} | {r['version']} | {r['warm_us']:.0f} µs | {r['warm_us'] / bare:.2f}x | {r['cold_ms']:.1f} ms |"
        )
    print(f"\n(bare RSA-SHA256 verify: {bare:.0f} µs; whole run {time.perf_counter() - started:.0f} s)")

    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "presigned": p,
                    "authorizer_warm": warm,
                    "authorizer_kms": kms,
                    "authorizer_cold": cold,
                    "jwt_libraries": libs,
                },
                f,
                indent=2,
            )
    if misses:
        print(f"\nMISSED: {', '.join(misses)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
