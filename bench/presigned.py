"""The presigned-URL function with a fixed delay injected into every AWS call.

Every HTTP request botocore would send is answered by a ``before-send`` handler that sleeps for
the delay (standing for the network and the service) and returns a canned response, so the
whole client pipeline (serialising, signing, parsing, retries) runs as it would on Lambda. Every
request carries the authorizer's proof (`testkit.proofs`), verified as on Lambda (pure-Python
RSA): a warm request is the proof checked plus one AWS call."""

from __future__ import annotations

import datetime
import json
import time
from collections import Counter

from contracts import lambda_env, presigned_url_env
from testkit import aws, env
from testkit.events import fn_event
from tools import handlers

from .common import median_ms, quiet

ACCOUNT = aws.LOB_A
DOMAIN = "d-bench0domain1"
URL = f"https://{DOMAIN}.studio.{aws.REGION}.sagemaker.aws/auth?token=bench"


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


def _canned(operation: str, request) -> tuple[str, bytes]:
    if operation == "GetItem":
        table = json.loads(request.body)["TableName"]
        item = aws.user_item("user-lob-a", "lob-a") if table == aws.USERS_TABLE else aws.lob_item("lob-a", ACCOUNT)
        return "application/x-amz-json-1.0", json.dumps({"Item": item}).encode()
    if operation == "AssumeRole":
        expires = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>'
            "<AccessKeyId>ASIABENCHBENCHBENCH1</AccessKeyId><SecretAccessKey>bench</SecretAccessKey>"
            f"<SessionToken>bench</SessionToken><Expiration>{expires}</Expiration></Credentials>"
            f"<AssumedRoleUser><AssumedRoleId>AROABENCH:s</AssumedRoleId><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/r/s</Arn></AssumedRoleUser>"
            "</AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>"
        )
        return "text/xml", xml.encode()
    if operation == "ListDomains":
        domains = [{"DomainId": DOMAIN, "DomainName": "sagemaker-domain-lob-a", "Status": "InService"}]
        return "application/x-amz-json-1.1", json.dumps({"Domains": domains}).encode()
    if operation == "CreatePresignedDomainUrl":
        return "application/x-amz-json-1.1", json.dumps({"AuthorizedUrl": URL}).encode()
    raise AssertionError(f"unexpected AWS call {operation}")


class Network:
    """Sleeps ``delay`` seconds on every AWS call and answers it."""

    def __init__(self, delay: float):
        self.delay = delay
        self.sent: Counter = Counter()

    def __call__(self, request, event_name: str, **_):
        from botocore.awsrequest import AWSResponse

        operation = event_name.rsplit(".", 1)[1]
        self.sent[operation] += 1
        time.sleep(self.delay)
        content_type, body = _canned(operation, request)
        return AWSResponse(request.url, 200, {"Content-Type": content_type, "x-amzn-RequestId": "bench"}, _Raw(body))


def run(delay: float = 0.020, warm_requests: int = 60, scratch_requests: int = 10) -> dict[str, object]:
    region = env.of(presigned_url_env, aws_region=aws.REGION)
    values = {**region, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", **aws.FUNCTION_ENV}
    unset = ("AWS_PROFILE", "AWS_SESSION_TOKEN", lambda_env.ENDPOINT_URL.name, lambda_env.ENDPOINT_URL_STS.name)
    with env.patched(values, unset):
        return _run(delay, warm_requests, scratch_requests)


def _run(delay: float, warm_requests: int, scratch_requests: int) -> dict[str, object]:
    from botocore import handlers as botocore_handlers

    network = Network(delay)
    spec = ("before-send", network)
    botocore_handlers.BUILTIN_HANDLERS.append(spec)
    app = handlers.load("presigned_url")
    try:
        event = fn_event()
        # the injected delay alone, measured the same way (time.sleep overshoots a little)
        sleep_alone = []
        for _ in range(warm_requests):
            t0 = time.perf_counter()
            time.sleep(delay)
            sleep_alone.append(time.perf_counter() - t0)

        def request(of: dict | None = None) -> float:
            t0 = time.perf_counter()
            response = app.handler(of or event, None)
            elapsed = time.perf_counter() - t0
            assert response["statusCode"] == 302 and response["headers"]["Location"] == URL, response
            return elapsed

        with quiet():
            handlers.reset("presigned_url")
            network.sent.clear()
            first = request()
            first_calls = sum(network.sent.values())
            network.sent.clear()
            warm = [request() for _ in range(warm_requests)]
            warm_calls = dict(network.sent)
            # another person in the same warm container: their own role session
            network.sent.clear()
            new_person = request(fn_event("user-lob-z"))
            new_person_calls = dict(network.sent)
            # a person seen within the hour, after the cache TTL: the DISABLED flag is read again
            cache = handlers.module("presigned_url", "cache")
            real_now = getattr(cache, "now")  # noqa: B009 (a module's function, moved for a moment)
            setattr(cache, "now", lambda: real_now() + 61)  # noqa: B010
            try:
                network.sent.clear()
                after_ttl = request()
                after_ttl_calls = dict(network.sent)
            finally:
                setattr(cache, "now", real_now)  # noqa: B010
            # the proof's verification alone (pure-Python RSA-2048, PKCS#1 v1.5 SHA-256)
            state = handlers.module("presigned_url", "handler").state()
            verify_proof = handlers.module("presigned_url", "proof").verify_proof
            signed = event["requestContext"]["authorizer"]["proof"]
            verify = [_timed(lambda: verify_proof(state.settings.proof_key, signed, time.time())) for _ in range(200)]
            scratch = []
            network.sent.clear()
            for _ in range(scratch_requests):
                handlers.reset("presigned_url")  # a container that keeps nothing: new clients, every lookup again
                scratch.append(request())
            scratch_calls = sum(network.sent.values()) / scratch_requests
    finally:
        botocore_handlers.BUILTIN_HANDLERS.remove(spec)
        handlers.reset("presigned_url")
    return {
        "delay_ms": delay * 1000,
        "sleep_alone_ms": median_ms(sleep_alone),
        "first_ms": first * 1000,
        "first_calls": first_calls,
        "warm_median_ms": median_ms(warm),
        "warm_p90_ms": sorted(warm)[int(len(warm) * 0.9)] * 1000,
        "warm_calls_per_request": sum(warm_calls.values()) / warm_requests,
        "warm_operations": sorted(warm_calls),
        "scratch_median_ms": median_ms(scratch),
        "scratch_calls_per_request": scratch_calls,
        "new_person_ms": new_person * 1000,
        "new_person_operations": _ops(new_person_calls),
        "after_ttl_ms": after_ttl * 1000,
        "after_ttl_operations": _ops(after_ttl_calls),
        "proof_verify_us": median_ms(verify) * 1000,
    }


def _ops(sent: dict[str, int]) -> list[str]:
    return sorted(op for op, count in sent.items() for _ in range(count))


def _timed(fn: object) -> float:
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t0
