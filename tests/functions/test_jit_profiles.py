"""Just-in-time user profiles (issue 15, item 3): an entitled person without a profile gets one on
first open, tagged with the person, made by the LOB's access role, which may do so only where the
LOB opted in (`lob.justInTimeProfiles`; here `World.jit_accounts`, modelling the role's policy:
only in its domain, only tagged with the session's source identity). moto has no
CreateUserProfile: `testkit.aws` answers it as SageMaker and IAM would."""

from __future__ import annotations

import pytest

from contracts import tags
from testkit.aws import LOB_A, LOB_B, error
from testkit.events import fn_event
from tests.functions.support import assert_failure, audit_lines, body, call


@pytest.fixture
def world(aws):
    aws.put_groups({"studio-lob-a": ["lob-a"], "studio-lob-b": ["lob-b"]})
    aws.jit_accounts.add(LOB_A)  # lob-a opted in; lob-b did not
    aws.calls.clear()
    return aws


def test_an_entitled_person_without_a_profile_gets_one_tagged_with_them(presigned, world, capsys):
    response = call(presigned, fn_event("newcomer", groups=["studio-lob-a"]))
    assert response["statusCode"] == 302
    domain = world.domains[(LOB_A, "sagemaker-domain-lob-a")]
    assert world.created_profiles == [
        {
            "account": LOB_A,
            "role": f"arn:aws:iam::{LOB_A}:role/SagemakerStudioAccessRole",
            "DomainId": domain,
            "UserProfileName": "newcomer",
            "Tags": [{"Key": tags.PERSON_TAG, "Value": "newcomer"}],
        }
    ]
    assert world.operations()[-3:] == ["CreatePresignedDomainUrl", "CreateUserProfile", "CreatePresignedDomainUrl"]
    assert world.presigned[-1]["UserProfileName"] == "newcomer"
    line = audit_lines(capsys)[-1]
    assert line["outcome"] == "ok" and line["profileCreated"] is True


def test_the_second_open_finds_the_profile(presigned, world):
    call(presigned, fn_event("newcomer", groups=["studio-lob-a"]))
    world.calls.clear()
    assert call(presigned, fn_event("newcomer", groups=["studio-lob-a"]))["statusCode"] == 302
    assert world.operations() == ["CreatePresignedDomainUrl"] and len(world.created_profiles) == 1


def test_a_lob_that_did_not_opt_in_is_404_and_not_asked_again(presigned, world, capsys):
    assert_failure(presigned, fn_event("newcomer", groups=["studio-lob-b"]), 404, "not set up")
    assert world.operations().count("CreateUserProfile") == 1 and world.created_profiles == []
    line = audit_lines(capsys)[-1]
    assert line["outcome"] == "no-profile" and "justInTimeProfiles off" in line["detail"]
    world.calls.clear()
    assert_failure(presigned, fn_event("other-newcomer", groups=["studio-lob-b"]), 404, "not set up")
    assert "CreateUserProfile" not in world.operations()  # the account's refusal is cached


def test_the_profile_is_the_rows_profile_name(presigned, world):
    world.put_user("newcomer", None, profile="newcomer-2")
    assert call(presigned, fn_event("newcomer", groups=["studio-lob-a"]))["statusCode"] == 302
    assert world.created_profiles[-1]["UserProfileName"] == "newcomer-2"
    assert world.created_profiles[-1]["Tags"] == [{"Key": tags.PERSON_TAG, "Value": "newcomer"}]


def test_a_person_whose_name_cannot_be_a_tag_value_gets_no_profile(presigned, world):
    world.put_user("a,b", "lob-a", profile="ab")
    assert_failure(presigned, fn_event("a,b"), 404, "not set up")
    assert "CreateUserProfile" not in world.operations()


def test_a_profile_sagemaker_does_not_presign_yet_is_503_try_again(presigned, world, capsys):
    presigns = []

    def not_yet(params):
        presigns.append(params)
        return error(400, "ResourceNotFound", "User profile pending") if len(presigns) == 2 else None

    world.overrides["sagemaker.CreatePresignedDomainUrl"] = not_yet
    response = call(presigned, fn_event("newcomer", groups=["studio-lob-a"]))
    assert response["statusCode"] == 503
    assert body(response)["message"] == "Your Studio user profile is being created; try again in a minute."
    assert audit_lines(capsys)[-1]["outcome"] == "profile-pending"


def test_a_profile_made_meanwhile_by_another_request_is_fine(presigned, world):
    domain = world.domains[(LOB_A, "sagemaker-domain-lob-a")]
    presigns = []

    def missing_once(params):
        presigns.append(params)
        if len(presigns) == 1:
            world.profiles[(LOB_A, domain)].add("newcomer")  # another request of the person made it
            return error(400, "ResourceNotFound", "User profile newcomer not found")
        return None

    world.overrides["sagemaker.CreatePresignedDomainUrl"] = missing_once
    assert call(presigned, fn_event("newcomer", groups=["studio-lob-a"]))["statusCode"] == 302
    assert world.operations().count("CreateUserProfile") == 1 and world.created_profiles == []  # ResourceInUse


def test_an_existing_profile_is_never_created(presigned, world):
    assert call(presigned, fn_event())["statusCode"] == 302
    assert "CreateUserProfile" not in world.operations()


def test_a_not_entitled_person_gets_no_profile(presigned, world):
    assert_failure(presigned, fn_event("newcomer", groups=["admins"]), 403, "not entitled")
    assert "CreateUserProfile" not in world.operations() and world.created_profiles == []


def test_a_space_of_someone_else_makes_no_profile(presigned, world):
    domain = world.domains[(LOB_A, "sagemaker-domain-lob-a")]
    world.add_space(LOB_A, domain, "private-of-other", "Private", "data-scientist")
    event = fn_event("newcomer", groups=["studio-lob-a"], query={"space": "private-of-other"})
    assert_failure(presigned, event, 403, "access refused")
    assert world.created_profiles == []


def test_the_domain_gone_is_404(presigned, world):
    world.overrides["sagemaker.CreateUserProfile"] = lambda params: error(400, "ResourceNotFound", "no domain")
    assert_failure(presigned, fn_event("newcomer", groups=["studio-lob-a"]), 404, "not set up")
    assert LOB_B  # lob-b untouched
