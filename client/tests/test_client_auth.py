"""Sign-in flows against a scripted Cognito: challenges, errors, refresh, revoke."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from fakes import Idp
from studio_access_client import auth, errors
from studio_access_client.config import parse_config

CFG = parse_config(
    {
        "apiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev",
        "region": "us-east-1",
        "userPoolId": "us-east-1_Pool1",
        "clientId": "client1",
        "identityProvider": "cognito",
        "tokenIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1",
    },
    "test",
)
RESULT = {"AuthenticationResult": {"AccessToken": "a", "RefreshToken": "r", "ExpiresIn": 3600}}
VERIFIER = {
    "ChallengeName": "PASSWORD_VERIFIER",
    "ChallengeParameters": {
        "SALT": "a1b2c3d4e5f6",
        "SRP_B": "ab" * 64,
        "USERNAME": "alice",
        "USER_ID_FOR_SRP": "alice",
        "SECRET_BLOCK": base64.b64encode(b"secret-block").decode(),
    },
}


class Prompts:
    def __init__(self, new_password="N3w-Password!!", code="123456"):
        self.asked = []
        self._new, self._code = new_password, code
        self.shown = []

    def totp_secret(self, secret, uri):
        self.shown.append((secret, uri))

    def new_password(self):
        self.asked.append("new")
        return self._new

    def mfa_code(self, challenge):
        self.asked.append(challenge)
        return self._code


def cognito_error(code, message="", op="InitiateAuth"):
    return ClientError({"Error": {"Code": code, "Message": message}}, op)


def test_srp_sign_in_answers_the_password_verifier_with_pycognito():
    idp = Idp(VERIFIER, RESULT)
    assert auth.login(idp, CFG, "alice", "pw", Prompts()) == RESULT["AuthenticationResult"]
    (_op1, start), (_op2, answer) = idp.calls
    assert start["AuthFlow"] == "USER_SRP_AUTH" and start["ClientId"] == "client1"
    assert start["AuthParameters"]["USERNAME"] == "alice" and int(start["AuthParameters"]["SRP_A"], 16) > 0
    assert "PASSWORD" not in start["AuthParameters"]  # SRP: the password never leaves the machine
    assert answer["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = answer["ChallengeResponses"]
    assert set(responses) == {"TIMESTAMP", "USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE"}
    assert responses["PASSWORD_CLAIM_SECRET_BLOCK"] == VERIFIER["ChallengeParameters"]["SECRET_BLOCK"]


def test_forced_password_change_after_srp():
    prompts = Prompts()
    idp = Idp(
        VERIFIER,
        {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": "s-1",
            "ChallengeParameters": {"USERNAME": "alice-internal", "requiredAttributes": "[]"},
        },
        RESULT,
    )
    assert auth.login(idp, CFG, "alice", "temp", prompts) == RESULT["AuthenticationResult"]
    _, _, (_, change) = idp.calls
    assert change == {
        "ClientId": "client1",
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": "s-1",
        "ChallengeResponses": {"USERNAME": "alice-internal", "NEW_PASSWORD": "N3w-Password!!"},
    }
    assert prompts.asked == ["new"]


def test_password_flow_and_mfa_code():
    prompts = Prompts()
    idp = Idp({"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s-2", "ChallengeParameters": {}}, RESULT)
    auth.login(idp, CFG, "alice", "pw", prompts, flow="password")
    (_, start), (_, mfa) = idp.calls
    assert start["AuthFlow"] == "USER_PASSWORD_AUTH"
    assert start["AuthParameters"] == {"USERNAME": "alice", "PASSWORD": "pw"}
    assert mfa["ChallengeResponses"] == {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": "123456"}
    assert mfa["Session"] == "s-2" and prompts.asked == ["SOFTWARE_TOKEN_MFA"]


def test_first_sign_in_enrols_an_authenticator_when_the_pool_requires_mfa():
    """MFA ON: after the new password, Cognito asks to set up TOTP; the client shows the key, checks a code."""
    prompts = Prompts(code="654321")
    idp = Idp(
        {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": "s-1",
            "ChallengeParameters": {"requiredAttributes": "[]"},
        },
        {
            "ChallengeName": "MFA_SETUP",
            "Session": "s-2",
            "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'},
        },
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s-3"},
        {"Status": "SUCCESS", "Session": "s-4"},
        RESULT,
    )
    assert auth.login(idp, CFG, "alice", "temp", prompts, flow="password") == RESULT["AuthenticationResult"]
    ops = [op for op, _ in idp.calls]
    assert ops == ["initiate_auth", "respond", "associate", "verify", "respond"]
    assert idp.calls[2][1] == {"Session": "s-2"}
    assert idp.calls[3][1] == {"Session": "s-3", "UserCode": "654321", "FriendlyDeviceName": "studio-access"}
    assert idp.calls[4][1] == {
        "ClientId": "client1",
        "ChallengeName": "MFA_SETUP",
        "Session": "s-4",
        "ChallengeResponses": {"USERNAME": "alice"},
    }
    [(secret, uri)] = prompts.shown
    assert secret == "JBSWY3DPEHPK3PXP"
    assert uri == "otpauth://totp/studio-access:alice?secret=JBSWY3DPEHPK3PXP&issuer=studio-access"
    assert prompts.asked == ["new", "MFA_SETUP"]


def test_a_wrong_first_authenticator_code_is_refused():
    idp = Idp(
        {"ChallengeName": "MFA_SETUP", "Session": "s-2", "ChallengeParameters": {}},
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s-3"},
        cognito_error("EnableSoftwareTokenMFAException", "Code mismatch", "VerifySoftwareToken"),
    )
    with pytest.raises(errors.AuthError, match="the code was refused"):
        auth.login(idp, CFG, "alice", "pw", Prompts(), flow="password")
    idp = Idp(
        {"ChallengeName": "MFA_SETUP", "Session": "s-2", "ChallengeParameters": {}},
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s-3"},
        {"Status": "ERROR"},
    )
    with pytest.raises(errors.AuthError, match="did not accept the code"):
        auth.login(idp, CFG, "alice", "pw", Prompts(), flow="password")


@pytest.mark.parametrize(
    "challenge, words",
    [
        (
            {
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "ChallengeParameters": {"requiredAttributes": '["userAttributes.email"]'},
            },
            "attributes before its first sign-in (email)",
        ),
        ({"ChallengeName": "CUSTOM_CHALLENGE", "ChallengeParameters": {}}, "CUSTOM_CHALLENGE challenge"),
    ],
)
def test_challenges_this_client_cannot_answer(challenge, words):
    with pytest.raises(errors.AuthError, match=words.replace("(", r"\(").replace(")", r"\)")):
        auth.login(Idp(challenge), CFG, "alice", "pw", Prompts(), flow="password")


def test_endless_challenges_are_abandoned():
    mfa = {"ChallengeName": "SMS_MFA", "Session": "s", "ChallengeParameters": {}}
    with pytest.raises(errors.AuthError, match="kept asking"):
        auth.login(Idp(*[mfa] * 10), CFG, "alice", "pw", Prompts(), flow="password")


@pytest.mark.parametrize(
    "error, kind, words",
    [
        (
            cognito_error("NotAuthorizedException", "Incorrect username or password."),
            errors.AuthError,
            "sign-in refused",
        ),
        (cognito_error("UserNotFoundException", "User does not exist."), errors.AuthError, "sign-in refused"),
        (
            cognito_error("NotAuthorizedException", "USER_PASSWORD_AUTH flow not enabled for this client"),
            errors.UsageError,
            "without --flow password",
        ),
        (cognito_error("PasswordResetRequiredException"), errors.AuthError, "must be reset"),
        (
            cognito_error("ResourceNotFoundException", "User pool client x does not exist."),
            errors.ConfigError,
            "current config file",
        ),
        (
            cognito_error("InvalidPasswordException", "Password does not conform to policy"),
            errors.AuthError,
            "new password was refused",
        ),
        (cognito_error("CodeMismatchException", "Invalid code"), errors.AuthError, "code was refused"),
        (cognito_error("TooManyRequestsException"), errors.AuthError, "throttling"),
        (
            EndpointConnectionError(endpoint_url="https://cognito-idp.us-east-1.amazonaws.com/"),
            errors.NetworkError,
            "cannot reach Cognito",
        ),
    ],
)
def test_cognito_errors_become_actionable(error, kind, words):
    with pytest.raises(errors.ClientError) as err:
        auth.login(Idp(error), CFG, "alice", "pw", Prompts(), flow="password")
    assert type(err.value) is kind and words in err.value.message


def test_refresh_and_its_refusal():
    idp = Idp(RESULT)
    assert auth.refresh(idp, CFG, "r") == RESULT["AuthenticationResult"]
    assert idp.calls[0][1] == {
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": "r"},
        "ClientId": "client1",
    }
    with pytest.raises(errors.SessionExpired, match="session has expired"):
        auth.refresh(Idp(cognito_error("NotAuthorizedException", "Refresh Token has been revoked")), CFG, "r")
    with pytest.raises(errors.SessionExpired):
        auth.refresh(Idp({"ChallengeName": "X"}), CFG, "r")


def test_revoke_reports_instead_of_raising():
    idp = Idp({})
    assert auth.revoke(idp, CFG, "r") is None
    assert idp.calls == [("revoke", {"Token": "r", "ClientId": "client1"})]
    assert "sign-out" in auth.revoke(Idp(cognito_error("UnsupportedOperationException", "no")), CFG, "r")


def test_oidc_deployments_and_unknown_flows():
    oidc = parse_config(
        {
            "apiUrl": CFG.api_url,
            "region": "us-east-1",
            "identityProvider": "oidc",
            "tokenIssuer": "https://idp.example.com",
        },
        "t",
    )
    with pytest.raises(errors.UsageError, match="--token-stdin"):
        auth.login(Idp(), oidc, "alice", "pw", Prompts())
    with pytest.raises(errors.UsageError, match="--flow"):
        auth.login(Idp(), CFG, "alice", "pw", Prompts(), flow="magic")
