"""The presigned-URL function against moto (DynamoDB, STS, SageMaker ListDomains), with
CreatePresignedDomainUrl and DescribeSpace answered at the botocore level: success, the caller,
the mapping, spaces, AWS errors. Forged events (no proof, bad proofs): test_presigned_url_proof.py."""

from __future__ import annotations

import json

import pytest

from testkit.aws import LOB_A, LOB_C, LOBS_TABLE, ROLE_NAME, USERS_TABLE, error
from testkit.events import fn_event
from tests.functions.support import assert_failure, audit_lines, body, call
from tools import handlers

aws_module = handlers.module("presigned_url", "aws")
cache_module = handlers.module("presigned_url", "cache")
errors_module = handlers.module("presigned_url", "errors")
handler_module = handlers.module("presigned_url", "handler")
settings_module = handlers.module("presigned_url", "settings")


# ---------------------------------------------------------------------------- success


def test_a_mapped_user_is_redirected_to_a_url_made_with_the_lob_role(presigned, aws):
    response = call(presigned, fn_event())
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    assert response == {
        "statusCode": 302,
        "headers": {
            "Cache-Control": "no-store",
            "Location": f"https://{domain}.studio.us-east-1.sagemaker.aws/auth?token=SECRET-PRESIGNED-TOKEN",
        },
        "body": "",
    }
    assert aws.presigned == [
        {
            "account": LOB_A,
            "role": f"arn:aws:iam::{LOB_A}:role/{ROLE_NAME}",
            "DomainId": domain,
            "UserProfileName": "user-lob-a",
            "ExpiresInSeconds": 20,
        }
    ]
    assert aws.operations() == ["GetItem", "GetItem", "AssumeRole", "ListDomains", "CreatePresignedDomainUrl"]
    assert aws.assume_role_calls() == [
        {
            "RoleArn": f"arn:aws:iam::{LOB_A}:role/{ROLE_NAME}",
            "RoleSessionName": "user-lob-a",
            "SourceIdentity": "user-lob-a",
            "DurationSeconds": 3600,
        }
    ]
    assert [c.params["TableName"] for c in aws.calls[:2]] == [USERS_TABLE, LOBS_TABLE]


def test_accept_json_gets_the_url_in_a_body(presigned, aws):
    response = call(presigned, fn_event(headers={"accept": "text/html, Application/JSON;q=0.9"}))
    assert response["statusCode"] == 200 and response["headers"]["Cache-Control"] == "no-store"
    assert body(response) == {"url": aws.presigned[0] and response and body(response)["url"], "expiresInSeconds": 20}
    assert body(response)["url"].startswith("https://") and "Location" not in response["headers"]


def test_profile_and_domain_id_from_the_items(presigned, aws):
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    aws.put_user("alice", "lob-a", profile="data-scientist")
    aws.put_lob("lob-a", LOB_A, domain_id=domain)
    aws.calls.clear()
    assert call(presigned, fn_event("alice"))["statusCode"] == 302
    assert aws.presigned[-1]["UserProfileName"] == "data-scientist" and aws.presigned[-1]["DomainId"] == domain
    assert "ListDomains" not in aws.operations()


def test_session_expiration_url_expiry_space_and_landing_are_passed(presigned, aws, monkeypatch):
    monkeypatch.setenv("SESSION_EXPIRATION_SECONDS", "1800")
    monkeypatch.setenv("URL_EXPIRES_SECONDS", "300")
    handlers.reset("presigned_url")
    aws.add_space(LOB_A, aws.domains[(LOB_A, "sagemaker-domain-lob-a")], "my-space-1", "Shared")
    query = {"space": "my-space-1", "landing": "app:JupyterLab:lab/tree/work"}
    assert call(presigned, fn_event(query=query))["statusCode"] == 302
    sent = aws.presigned[-1]
    assert (sent["ExpiresInSeconds"], sent["SessionExpirationDurationInSeconds"]) == (300, 1800)
    assert (sent["SpaceName"], sent["LandingUri"]) == ("my-space-1", "app:JupyterLab:lab/tree/work")


# ---------------------------------------------------------------------------- the caller


def test_the_person_is_the_proofs_never_the_plain_context(presigned, aws, capsys):
    """The context says user-lob-b; the proof (for this token) says user-lob-a: A's Studio, or nothing."""
    event = fn_event("user-lob-a")
    event["requestContext"]["authorizer"]["username"] = "user-lob-b"
    assert call(presigned, event)["statusCode"] == 302
    assert aws.presigned[-1]["UserProfileName"] == "user-lob-a"
    event = fn_event("user-lob-a", path_user="user-lob-b")
    event["requestContext"]["authorizer"]["username"] = "user-lob-b"
    assert_failure(presigned, event, 403, "access refused")
    assert [line["outcome"] for line in audit_lines(capsys)] == ["ok", "forbidden"]


def test_another_users_path_is_403(presigned, aws):
    assert_failure(presigned, fn_event("user-lob-a", path_user="user-lob-b"), 403, "access refused")
    event = fn_event()
    event["pathParameters"] = None
    assert_failure(presigned, event, 403, "access refused")
    assert aws.calls == [] and aws.presigned == []


def test_a_username_the_authorizer_would_never_pass_has_no_proof_and_is_403(presigned, aws):
    for username in ("x" * 129, "a\nb"):
        assert_failure(presigned, fn_event(username, proof="not-a-proof"), 403, "access refused")
    assert aws.calls == []


@pytest.mark.parametrize(
    "query, message",
    [
        ({"space": "bad_space"}, "space: not a SageMaker space name"),
        ({"space": "-x"}, "space: not a SageMaker space name"),
        ({"space": "a" * 64}, "space: not a SageMaker space name"),
        ({"landing": "https://evil.example.com"}, "landing: must start with one of studio::"),
        ({"landing": "app:JupyterLab:../../x"}, "landing: must start with one of"),
        ({"landing": "app:JupyterLab:a b"}, "landing: must start with one of"),
        ({"landing": "studio::" + "a" * 1100}, "landing: must start with one of"),
        ({"redirect": "x"}, "unknown query parameter(s) 'redirect'"),
    ],
)
def test_bad_query_parameters_are_400_naming_them(presigned, aws, query, message):
    assert_failure(presigned, fn_event(query=query), 400, message)
    assert aws.presigned == []


def test_a_repeated_query_parameter_is_400(presigned, aws):
    event = fn_event(query={"space": "a"}, multi_query={"space": ["a", "b"]})
    assert_failure(presigned, event, 400, "'space' given more than once")


@pytest.mark.parametrize("landing", ["studio::", "studio::home", "app:CodeEditor:", "app:JupyterLab:lab/tree/a.ipynb"])
def test_landing_uris_sagemaker_accepts_pass(presigned, aws, landing):
    assert call(presigned, fn_event(query={"landing": landing}))["statusCode"] == 302
    assert aws.presigned[-1]["LandingUri"] == landing


# ---------------------------------------------------------------------------- the mapping
# The caller reads a generic message; the audit line keeps what went wrong.


def refused_with(presigned, capsys, event, status: int, message: str, outcome: str, detail: str) -> dict:
    capsys.readouterr()
    assert_failure(presigned, event, status, message)
    (line,) = audit_lines(capsys)
    assert line["outcome"] == outcome and detail in line["detail"], line
    return line


def test_an_unmapped_user_is_403_saying_so(presigned, aws, capsys):
    aws.put_user("nobody-lob", None)
    not_entitled = "You are not entitled to any line of business."
    refused_with(presigned, capsys, fn_event("stranger"), 403, not_entitled, "user-not-mapped", "no users-table")
    refused_with(presigned, capsys, fn_event("nobody-lob"), 403, not_entitled, "user-not-mapped", "has no LOB")


@pytest.mark.parametrize("flag", [{"BOOL": True}, {"S": "true"}, {"S": "TRUE"}])
def test_a_disabled_user_is_403_before_any_role_is_assumed(presigned, aws, capsys, flag):
    item = aws.dynamodb().get_item(TableName=USERS_TABLE, Key={"PK": {"S": "user-lob-a"}})["Item"]
    aws.dynamodb().put_item(TableName=USERS_TABLE, Item={**item, "DISABLED": flag})
    refused_with(presigned, capsys, fn_event(), 403, "access refused", "user-disabled", "DISABLED = true")
    assert "AssumeRole" not in aws.operations() and aws.presigned == []


@pytest.mark.parametrize("flag", [{"BOOL": False}, {"S": "false"}, {"S": "yes"}, {"N": "1"}])
def test_a_disabled_flag_that_is_not_true_does_not_refuse(presigned, aws, flag):
    item = aws.dynamodb().get_item(TableName=USERS_TABLE, Key={"PK": {"S": "user-lob-a"}})["Item"]
    aws.dynamodb().put_item(TableName=USERS_TABLE, Item={**item, "DISABLED": flag})
    assert call(presigned, fn_event())["statusCode"] == 302


def test_an_unmapped_lob_is_404_without_naming_it(presigned, aws, capsys):
    aws.put_user("carol", "lob-x")
    line = refused_with(presigned, capsys, fn_event("carol"), 404, "not set up", "lob-not-mapped", "'lob-x'")
    assert line["lob"] == "lob-x"


@pytest.mark.parametrize(
    "account, domain", [("12345", None), ("abcdefghijkl", None), (None, None), (LOB_A, "domain-1"), (LOB_A, "")]
)
def test_a_bad_lob_item_is_404(presigned, aws, capsys, account, domain):
    aws.put_user("dave", "lob-bad")
    aws.put_lob("lob-bad", account, domain_id=domain)
    refused_with(presigned, capsys, fn_event("dave"), 404, "not set up", "bad-lob-item", "LOB 'lob-bad'")


def test_a_bad_profile_name_is_404(presigned, aws, capsys):
    aws.put_user("erin", "lob-a", profile="not_a_profile!")
    refused_with(presigned, capsys, fn_event("erin"), 404, "not set up", "no-profile", "not a SageMaker user profile")


def test_no_domain_is_404_and_only_in_service_domains_count(presigned, aws, capsys):
    aws.put_user("frank", "lob-c")
    aws.put_lob("lob-c", LOB_C)
    refused_with(presigned, capsys, fn_event("frank"), 404, "not set up", "no-domain", "no InService")
    handlers.reset("presigned_url")
    domain = aws.create_domain(LOB_C, "being-deleted", profiles=["frank"])
    aws.set_domain_status(LOB_C, domain, "Deleting")
    refused_with(presigned, capsys, fn_event("frank"), 404, "not set up", "no-domain", "no InService")


def test_several_in_service_domains_are_refused_naming_them_in_the_audit_line_only(presigned, aws, capsys):
    aws.put_user("grace", "lob-c")
    aws.put_lob("lob-c", LOB_C)
    first = aws.create_domain(LOB_C, "domain-one", profiles=["grace"])
    second = aws.create_domain(LOB_C, "domain-two", profiles=["grace"])
    capsys.readouterr()
    response = call(presigned, fn_event("grace"))
    assert response["statusCode"] == 409
    for internal in (first, second, "domain-one", "lob-c", "DOMAIN_ID"):
        assert internal not in response["body"]
    (line,) = audit_lines(capsys)
    assert f"{first} (domain-one)" in line["detail"] and f"{second} (domain-two)" in line["detail"]
    assert "DOMAIN_ID" in line["detail"] and aws.presigned == []


def test_no_profile_is_404_and_forgets_the_discovered_domain(presigned, aws):
    aws.put_user("heidi", "lob-a")  # no profile 'heidi' in the domain
    assert_failure(presigned, fn_event("heidi"), 404, "not set up")
    aws.calls.clear()
    assert_failure(presigned, fn_event("heidi"), 404, "not set up")
    assert aws.operations() == ["ListDomains", "CreatePresignedDomainUrl"]


# ---------------------------------------------------------------------------- spaces


@pytest.mark.parametrize(
    "sharing, owner, status",
    [
        ("Shared", None, 302),  # a shared space of the domain
        ("Shared", "someone-else", 302),
        ("Private", "user-lob-a", 302),  # the person's own private space
        ("Private", "data-scientist", 403),  # another person's private space
        ("Private", None, 403),
        (None, None, 403),  # no sharing settings (made before SageMaker had them): refused
        ("Unknown", "user-lob-a", 403),
    ],
)
def test_a_space_is_presigned_only_if_shared_or_the_persons_own(presigned, aws, capsys, sharing, owner, status):
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    aws.add_space(LOB_A, domain, "team-space", sharing, owner)
    response = call(presigned, fn_event(query={"space": "team-space"}))
    assert response["statusCode"] == status
    assert [p.get("SpaceName") for p in aws.presigned] == (["team-space"] if status == 302 else [])
    describe = [c.params for c in aws.calls if c.operation == "DescribeSpace"]
    assert describe == [{"DomainId": domain, "SpaceName": "team-space"}]
    if status == 403:
        assert "team-space" not in response["body"]
        assert audit_lines(capsys)[-1]["outcome"] == "space-refused"


def test_an_unknown_space_is_404(presigned, aws):
    assert_failure(presigned, fn_event(query={"space": "no-such-space"}), 404, "not set up")
    assert aws.presigned == []


def test_the_space_answer_is_cached(presigned, aws):
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    aws.add_space(LOB_A, domain, "team-space", "Shared")
    call(presigned, fn_event(query={"space": "team-space"}))
    aws.calls.clear()
    assert call(presigned, fn_event(query={"space": "team-space"}))["statusCode"] == 302
    assert aws.operations() == ["CreatePresignedDomainUrl"]


# ---------------------------------------------------------------------------- AWS errors


def test_access_denied_on_assume_role_is_502(presigned, aws):
    aws.overrides["sts.AssumeRole"] = lambda params: error(
        403, "AccessDenied", f"User: arn:aws:sts::123456789012:x is not authorized on arn:aws:iam::{LOB_A}:role/x"
    )
    data = assert_failure(presigned, fn_event(), 502, "could not reach your line of business")
    assert aws.presigned == [] and data


def test_throttling_after_standard_retries_is_503(presigned, aws, monkeypatch):
    """The throttled answer comes from the HTTP layer, so botocore's standard retries run: 3 attempts."""
    import botocore.endpoint
    from botocore import handlers as botocore_handlers
    from botocore.awsrequest import AWSResponse
    from moto.core.models import botocore_stubber

    attempts, sleeps = [], []

    class Raw:
        def stream(self, **_):
            yield json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()

    def throttled(request, **_):
        attempts.append(request.url)
        botocore_stubber.enabled = False  # moto has no CreatePresignedDomainUrl: keep it out of this one
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, Raw())

    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)
    aws.overrides["sagemaker.CreatePresignedDomainUrl"] = lambda params: "http"
    spec = ("before-send.sagemaker.CreatePresignedDomainUrl", throttled, botocore_handlers.REGISTER_FIRST)
    botocore_handlers.BUILTIN_HANDLERS.append(spec)
    try:
        handlers.reset("presigned_url")
        response = call(presigned, fn_event())
    finally:
        botocore_handlers.BUILTIN_HANDLERS.remove(spec)
        botocore_stubber.enabled = True
    assert response["statusCode"] == 503 and "throttling" in body(response)["message"]
    assert len(attempts) == 3 and len(sleeps) == 2
    assert attempts[0] == "https://api.sagemaker.us-east-1.amazonaws.com/"


def test_the_clients_use_standard_retries_short_timeouts_and_the_regional_sts_endpoint(presigned, aws):
    call(presigned, fn_event())
    state = handler_module.state()
    clients = [state.dynamodb, state.sts, state.sagemaker]
    for client in clients:
        config = client.meta.config
        assert config.retries == {"mode": "standard", "total_max_attempts": 3}
        assert config.connect_timeout + config.read_timeout < 10
    assert state.sts.meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"
    assert state.sagemaker.meta.region_name == "us-east-1"


def test_an_endpoint_override_in_the_environment_wins_for_emulators(presigned, aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    handlers.reset("presigned_url")
    assert handler_module.state().sts.meta.endpoint_url == "http://127.0.0.1:5999"


def test_any_other_error_is_500_without_details(presigned, aws, monkeypatch, capsys):
    monkeypatch.setenv("USERS_TABLE", "no-such-table")
    handlers.reset("presigned_url")
    assert_failure(presigned, fn_event(), 500, "internal error")
    line = audit_lines(capsys)[-1]
    assert line["outcome"] == "error" and line["error"].startswith("GetItem: ResourceNotFoundException")


def test_an_unexpected_exception_is_500_with_the_request_id(presigned, aws):
    aws.overrides["sagemaker.CreatePresignedDomainUrl"] = lambda params: (_ for _ in ()).throw(
        RuntimeError(f"arn:aws:iam::{LOB_A}:role/x")
    )
    assert_failure(presigned, fn_event(), 500, "internal error")
