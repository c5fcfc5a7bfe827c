"""`python -m bench`: run every benchmark and print the results as Markdown tables.

python -m bench            all of it (about a minute)
python -m bench --json F   also write the raw numbers to F
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

from . import authorizer, jwt_libraries, presigned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--json", metavar="FILE", help="write the raw numbers to FILE")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="delay injected into every AWS call (default 20)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    p = presigned.run(delay=args.delay_ms / 1000)
    cold = authorizer.cold_start()
    cold_nopyc = authorizer.cold_start(runs=5, bytecode=False)
    warm = authorizer.warm()
    libs = jwt_libraries.run()

    print(f"# Benchmarks ({platform.python_implementation()} {platform.python_version()}, {platform.machine()})\n")
    print(f"## Presigned-URL function, {p['delay_ms']:.0f} ms injected into every AWS call\n")
    print("| request | AWS calls | median latency | p90 |")
    print("| --- | --- | --- | --- |")
    print(
        f"| first on a new container (clients built, every lookup) | {p['first_calls']} | {p['first_ms']:.1f} ms (one request) | |"
    )
    print(
        f"| warm (target: 1 call, median within 5 ms of one delay) | {p['warm_calls_per_request']:g} ({', '.join(p['warm_operations'])}) | {p['warm_median_ms']:.1f} ms | {p['warm_p90_ms']:.1f} ms |"
    )
    print(
        f"| nothing kept between requests (the sample's shape) | {p['scratch_calls_per_request']:g} | {p['scratch_median_ms']:.1f} ms | |"
    )
    print(f"| baseline: the injected delay alone | | {p['sleep_alone_ms']:.1f} ms | |")
    over = p["warm_median_ms"] - p["sleep_alone_ms"]
    print(
        f"\nWarm median minus one delay: {over:.1f} ms ({'met' if over <= 5 and p['warm_calls_per_request'] == 1 else 'MISSED'}).\n"
    )

    print("## Authorizer\n")
    print("| measure | authorizer | baseline (same run) | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    for c, label in ((cold, "with .pyc"), (cold_nopyc, "no .pyc at all, every module compiled")):
        ratio_cold = c["authorizer_cold_ms"] / c["import_boto3_ms"]
        print(
            f"| cold start ({label}): imports + first verification (keys fetched from 127.0.0.1), median of {c['runs']} fresh interpreters "
            f"| {c['authorizer_cold_ms']:.1f} ms (imports {c['authorizer_imports_ms']:.1f} ms) | `import boto3` alone: {c['import_boto3_ms']:.1f} ms "
            f"| {ratio_cold:.2f}x | below 1x: {'met' if ratio_cold < 1 else 'MISSED'} |"
        )
    ratio_warm = warm["verify_token_us"] / warm["bare_rsa_us"]
    print(
        f"| warm verification (`verify_token`: every check), median of {warm['n']} | {warm['verify_token_us']:.0f} µs "
        f"| bare RSA-SHA256 verify (cryptography): {warm['bare_rsa_us']:.0f} µs | {ratio_warm:.2f}x | within 3x: {'met' if ratio_warm <= 3 else 'MISSED'} |"
    )
    print(
        f"| warm handler call (header, verification, policy, log line) | {warm['handler_us']:.0f} µs | | {warm['handler_us'] / warm['bare_rsa_us']:.2f}x | |"
    )

    print("\n## JWT libraries on a Cognito-shaped access token (RS256, RSA-2048; signature, iss, exp)\n")
    print("| library | version | warm verify (median) | x bare RSA | cold: import + key + first verify |")
    print("| --- | --- | --- | --- | --- |")
    for name, r in libs.items():
        if not r["installed"]:
            print(f"| {name} | not installed (`pip install -r bench/requirements.txt`) | | | |")
            continue
        print(
            f"| {name} | {r['version']} | {r['warm_us']:.0f} µs | {r['warm_us'] / warm['bare_rsa_us']:.2f}x | {r['cold_ms']:.1f} ms |"
        )
    print(f"\n(bare RSA-SHA256 verify: {warm['bare_rsa_us']:.0f} µs; whole run {time.perf_counter() - started:.0f} s)")

    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "presigned": p,
                    "authorizer_cold": cold,
                    "authorizer_cold_no_pyc": cold_nopyc,
                    "authorizer_warm": warm,
                    "jwt_libraries": libs,
                },
                f,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
