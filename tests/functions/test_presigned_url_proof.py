"""Forged events against the presigned-URL function: whatever a principal who may invoke it and read
its configuration puts in the event, no proof that holds means 403 and no AWS call at all (no
table read, no AssumeRole, no URL). Also the verifier itself, against `cryptography`."""

from __future__ import annotations

import base64
import hashlib
import os
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import proof
from testkit import proofs
from testkit.events import fn_event, token_for
from tests.functions.support import assert_failure, audit_lines, body, call
from tools import handlers

proof_module = handlers.module("presigned_url", "proof")
ATTACKER = proofs.key("attacker")


def refused(presigned, aws, capsys, event, outcome: str) -> dict:
    """403 with the generic message, no AWS call; the audit line names the outcome."""
    capsys.readouterr()
    assert_failure(presigned, event, 403, "access refused")
    assert aws.calls == [] and aws.presigned == []
    (line,) = audit_lines(capsys)
    assert line["outcome"] == outcome and line["awsCalls"] == 0, line
    return line


def test_the_legitimate_event_works(presigned, aws):
    assert call(presigned, fn_event())["statusCode"] == 302


# ---------------------------------------------------------------------------- no proof


def test_no_authorizer_context_at_all(presigned, aws, capsys):
    refused(presigned, aws, capsys, fn_event(None, path_user="user-lob-a"), "no-proof")
    event = fn_event()
    del event["requestContext"]
    for anything in (event, "not an event", None, []):
        response = call(presigned, anything)
        assert response["statusCode"] == 403 and body(response)["message"] == "access refused"
    assert aws.calls == []
    assert [line["outcome"] for line in audit_lines(capsys)] == ["no-proof"] * 4


def test_the_plain_context_without_a_proof_is_not_enough(presigned, aws, capsys):
    """The sample's event: username in the context, no token, no proof (a direct invocation)."""
    event = fn_event("user-lob-b", proof=None, headers={"Accept": "application/json"})
    del event["headers"]["Authorization"], event["multiValueHeaders"]["Authorization"]
    line = refused(presigned, aws, capsys, event, "no-proof")
    assert line["username"] is None and line["claimedUsername"] == "user-lob-b"


@pytest.mark.parametrize("value", ["", "x", "a.b", "a.b.c", "!!.??", 7, ["p"], {"p": 1}, "a" * 10_000])
def test_anything_but_a_proof_is_refused(presigned, aws, capsys, value):
    refused(presigned, aws, capsys, fn_event(proof=value), "bad-proof")


# ---------------------------------------------------------------------------- proofs that do not verify


def test_a_proof_signed_by_another_key(presigned, aws, capsys):
    forged = proofs.make(private=ATTACKER, username="user-lob-b", token=token_for("user-lob-b"))
    line = refused(presigned, aws, capsys, fn_event("user-lob-b", proof=forged), "bad-proof")
    assert line["detail"] == "proof signature does not verify"


def test_a_tampered_proof(presigned, aws, capsys):
    """A's genuine proof, its username changed to B's: the signature no longer holds."""
    genuine = proofs.make(username="user-lob-a", token=token_for("user-lob-b"))
    tampered = proofs.tampered(genuine, username="user-lob-b", resources=["GET/user-lob-b"])
    refused(presigned, aws, capsys, fn_event("user-lob-b", proof=tampered), "bad-proof")
    # one bit of the signature flipped
    part, signature = proof.split(genuine)
    flipped = proof.join(part, bytes([signature[0] ^ 1]) + signature[1:])
    refused(presigned, aws, capsys, fn_event("user-lob-a", token=token_for("user-lob-b"), proof=flipped), "bad-proof")


def test_a_proof_with_a_signature_of_the_wrong_size_or_out_of_range(presigned, aws, capsys):
    part = proof.encode_payload(proofs.payload())
    key = proofs.key().public_key().public_numbers()
    for signature in (b"", b"\x01" * 255, b"\x01" * 257, key.n.to_bytes(256, "big"), b"\xff" * 256):
        refused(presigned, aws, capsys, fn_event(proof=proof.join(part, signature)), "bad-proof")


def test_the_unsigned_plain_context_of_a_real_request_is_not_a_proof(presigned, aws, capsys):
    """A proof whose payload is fine but whose signature is the payload's own hash (no key)."""
    part = proof.encode_payload(proofs.payload())
    fake = proof.join(part, hashlib.sha256(part.encode()).digest() * 8)
    refused(presigned, aws, capsys, fn_event(proof=fake), "bad-proof")


# ---------------------------------------------------------------------------- genuine proofs, misused


def test_a_valid_token_of_a_with_bs_path_and_context(presigned, aws, capsys):
    """A presents their own token and proof but asks for B's path with B's name in the context."""
    event = fn_event("user-lob-a", path_user="user-lob-b")
    event["requestContext"]["authorizer"]["username"] = "user-lob-b"
    line = refused(presigned, aws, capsys, event, "forbidden")
    assert line["username"] == "user-lob-a"  # the proven person, in the audit line


def test_a_replayed_proof_with_another_token_or_none(presigned, aws, capsys):
    """A proof captured from A's request, sent with another bearer token, or with none."""
    captured = fn_event("user-lob-a")["requestContext"]["authorizer"]["proof"]
    for token in ("someone-elses-token", token_for("user-lob-a") + "x", ""):
        event = fn_event("user-lob-a", token=token, proof=captured)
        refused(presigned, aws, capsys, event, "proof-token-mismatch")
    event = fn_event("user-lob-a", proof=captured)
    del event["headers"]["Authorization"], event["multiValueHeaders"]["Authorization"]
    refused(presigned, aws, capsys, event, "proof-token-mismatch")
    event = fn_event("user-lob-a", proof=captured, headers={"Authorization": f"Basic {token_for('user-lob-a')}"})
    refused(presigned, aws, capsys, event, "proof-token-mismatch")


def test_two_authorization_headers_are_refused(presigned, aws, capsys):
    event = fn_event("user-lob-a")
    event["multiValueHeaders"]["authorization"] = ["Bearer other"]
    refused(presigned, aws, capsys, event, "proof-token-mismatch")


@pytest.mark.parametrize("api_id, stage", [("otherapi99", "dev"), ("abcdef1234", "prod"), (None, "dev")])
def test_a_proof_for_another_api_or_stage(presigned, aws, capsys, api_id, stage):
    event = fn_event("user-lob-a")
    event["requestContext"]["apiId"], event["requestContext"]["stage"] = api_id, stage
    refused(presigned, aws, capsys, event, "proof-elsewhere")


def test_an_expired_proof(presigned, aws, capsys):
    stale = proofs.make(issued_at=int(time.time()) - 200, lifetime=120)
    refused(presigned, aws, capsys, fn_event(proof=stale), "proof-expired")
    edge = proofs.make(issued_at=int(time.time()) - 120, lifetime=120)  # exp == now: expired
    refused(presigned, aws, capsys, fn_event(proof=edge), "proof-expired")


def test_a_proof_issued_in_the_future(presigned, aws, capsys):
    ahead = proofs.make(issued_at=int(time.time()) + 60)
    refused(presigned, aws, capsys, fn_event(proof=ahead), "bad-proof")


def test_a_proof_that_does_not_allow_this_path_or_method(presigned, aws, capsys):
    narrow = proofs.make(resources=["GET/someone-else"])
    refused(presigned, aws, capsys, fn_event(proof=narrow), "forbidden")
    event = fn_event()
    event["httpMethod"] = "POST"
    refused(presigned, aws, capsys, event, "forbidden")


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"v": None},
        {"username": 7},
        {"username": None},
        {"sub": None},
        {"apiId": None},
        {"stage": ["dev"]},
        {"resources": "GET/user-lob-a"},
        {"resources": [1]},
        {"tokenSha256": None},
        {"iat": "now"},
        {"exp": 4e9},
        {"exp": True},
    ],
)
def test_a_signed_proof_of_the_wrong_shape(presigned, aws, capsys, changes):
    """Signed by the right key, yet not what the authorizer makes: refused (the key is not a pen
    for anything but proofs)."""
    fields = {k: v for k, v in {**proofs.payload(), **changes}.items() if v is not None}
    refused(presigned, aws, capsys, fn_event(proof=proofs.make(fields)), "bad-proof")


def test_a_signed_payload_that_is_not_json(presigned, aws, capsys):
    for raw in (b"not json", b"[1,2]", b'"x"'):
        part = proof.b64url(raw)
        refused(presigned, aws, capsys, fn_event(proof=proof.join(part, proofs.sign(part))), "bad-proof")


# ---------------------------------------------------------------------------- the verifier


def test_the_public_key_reads_kms_der_and_nothing_else():
    key = proof_module.RsaPublicKey.from_der_b64(proofs.public_der_b64())
    numbers = proofs.key().public_key().public_numbers()
    assert (key.n, key.e, key.size) == (numbers.n, numbers.e, 256)
    der = base64.b64decode(proofs.public_der_b64())
    for bad in (der + b"\x00", der[:-1], b"\x30\x00", b"", der.replace(b"\x2a\x86\x48", b"\x2a\x86\x49", 1)):
        with pytest.raises(ValueError):
            proof_module.RsaPublicKey.from_der_b64(base64.b64encode(bad).decode())


@settings(max_examples=60, deadline=None)
@given(message=st.binary(max_size=500), flip=st.integers(0, 255 * 8 - 1))
def test_verification_agrees_with_cryptography(message, flip):
    private = proofs.key()
    key = proof_module.RsaPublicKey.from_der_b64(proofs.public_der_b64())
    signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert key.verify(message, signature)
    broken = bytearray(signature)
    broken[flip // 8] ^= 1 << (flip % 8)
    assert not key.verify(message, bytes(broken))
    assert not key.verify(message + b"x", signature)
    other = private.sign(message, padding.PKCS1v15(), hashes.SHA384())  # another hash in DigestInfo
    assert not key.verify(message, other)
    pss = private.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    assert not key.verify(message, pss)


def test_a_3072_bit_key_verifies_too():
    private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    key = proof_module.RsaPublicKey.from_der_b64(proofs.public_der_b64(private))
    message = os.urandom(100)
    assert key.verify(message, private.sign(message, padding.PKCS1v15(), hashes.SHA256()))
