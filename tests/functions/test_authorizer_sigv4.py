"""The authorizer's SigV4 signer against botocore's, on the same request at the same instant."""

from __future__ import annotations

import calendar
import datetime
import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from tools import handlers

sigv4 = handlers.module("authorizer", "sigv4")


def botocore_authorization(host, body, headers, creds, region, stamp) -> str:
    """botocore's Authorization header for the same POST, signed at ``stamp``."""
    request = AWSRequest(method="POST", url=f"https://{host}/", data=body, headers=dict(headers))
    moment = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    auth = SigV4Auth(Credentials(creds.access_key, creds.secret_key, creds.token), "kms", region)
    with pytest.MonkeyPatch.context() as mp:
        import botocore.auth

        mp.setattr(botocore.auth.datetime, "datetime", type("D", (), {"now": staticmethod(lambda tz=None: moment)}))
        auth.add_auth(request)
    return request.headers["Authorization"]


@pytest.mark.parametrize("token", ["FwoGZXIvYXdzEJr//////////wEaDGV4YW1wbGUtdG9rZW4=", None])
def test_the_authorization_header_is_botocores(token):
    creds = sigv4.Credentials("ASIAEXAMPLEEXAMPLE01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token)
    body = json.dumps({"KeyId": "alias/x", "Message": "aGVsbG8=", "MessageType": "RAW"}).encode()
    now = calendar.timegm((2026, 3, 14, 15, 9, 26, 0, 0, 0))
    ours = sigv4.signed_headers(
        host="kms.eu-north-1.amazonaws.com",
        target="TrentService.Sign",
        content_type="application/x-amz-json-1.1",
        body=body,
        credentials=creds,
        region="eu-north-1",
        service="kms",
        now=now,
    )
    assert ours["x-amz-date"] == "20260314T150926Z" and ours["host"] == "kms.eu-north-1.amazonaws.com"
    assert ("x-amz-security-token" in ours) == (token is not None)
    sent = {k: v for k, v in ours.items() if k not in ("authorization", "host")}
    expected = botocore_authorization(
        "kms.eu-north-1.amazonaws.com", body, sent, creds, "eu-north-1", ours["x-amz-date"]
    )
    assert ours["authorization"] == expected


@settings(max_examples=40, deadline=None)
@given(
    body=st.binary(max_size=600),
    secret=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", min_size=1, max_size=40
    ),
    port=st.integers(1024, 65535),  # a default port (443, 80) is left out of Host by both sides
    when=st.integers(0, 4_000_000_000),
)
def test_any_body_secret_host_and_instant_sign_as_botocore_signs(body, secret, port, when):
    creds = sigv4.Credentials("AKIAEXAMPLE", secret, "tok")
    host = f"127.0.0.1:{port}"
    ours = sigv4.signed_headers(
        host=host,
        target="TrentService.Sign",
        content_type="application/x-amz-json-1.1",
        body=body,
        credentials=creds,
        region="us-east-1",
        service="kms",
        now=when,
    )
    sent = {k: v for k, v in ours.items() if k not in ("authorization", "host")}
    assert ours["authorization"] == botocore_authorization(host, body, sent, creds, "us-east-1", ours["x-amz-date"])
