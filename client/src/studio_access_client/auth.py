"""Sign-in against Cognito: SRP (pycognito) or password auth, the challenges, refresh, revoke.

The functions take the Cognito client as an argument, so tests drive them with a fake or
with emulated Cognito; the CLI builds the real one with `make_idp`."""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import quote

from .config import Config
from .errors import AuthError, ConfigError, NetworkError, SessionExpired, UsageError

FLOWS = ("srp", "password")
MAX_CHALLENGES = 5
# The name an authenticator app shows for the enrolled account, and the device's name at Cognito.
TOTP_ISSUER = "studio-access"


class Prompts(Protocol):
    def new_password(self) -> str: ...

    def mfa_code(self, challenge: str) -> str: ...

    def totp_secret(self, secret: str, uri: str) -> None: ...


def totp_uri(secret: str, username: str) -> str:
    """The otpauth:// URI authenticator apps read (as a QR code or pasted): RFC 6238 TOTP, 30 s, 6 digits."""
    label = quote(f"{TOTP_ISSUER}:{username}", safe=":@")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(TOTP_ISSUER)}"


def make_idp(cfg: Config) -> Any:
    """An unsigned Cognito client (the user-facing calls need no AWS credentials).

    It honours `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, which is how the end-to-end test points it at
    an emulator."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config as BotoConfig

    return boto3.session.Session().client(
        "cognito-idp",
        region_name=cfg.region,
        config=BotoConfig(
            signature_version=UNSIGNED,
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5,
            read_timeout=15,
        ),
    )


def challenge_response(name: str, params: dict[str, str], username: str, prompts: Prompts) -> dict[str, str]:
    """What to answer to a challenge other than PASSWORD_VERIFIER (which needs the SRP state)."""
    user = params.get("USERNAME", username)
    if name == "NEW_PASSWORD_REQUIRED":
        required = json.loads(params.get("requiredAttributes") or "[]")
        if required:
            raise AuthError(
                "your account must set attributes before its first sign-in "
                f"({', '.join(a.removeprefix('userAttributes.') for a in required)}), which this "
                "client does not ask for: ask the platform team to set them."
            )
        return {"USERNAME": user, "NEW_PASSWORD": prompts.new_password()}
    if name in ("SOFTWARE_TOKEN_MFA", "SMS_MFA"):
        return {"USERNAME": user, f"{name}_CODE": prompts.mfa_code(name)}
    raise AuthError(f"Cognito asks for the {name} challenge, which this client does not support.")


def describe_error(err: Exception, *, during: str) -> Exception:
    """Turn a botocore error from Cognito into a ClientError a person can act on."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(err, (BotoConnectionError, HTTPClientError)):
        return NetworkError(f"cannot reach Cognito during {during} ({err}). Check your network or proxy settings.")
    if not isinstance(err, ClientError):
        return err
    code = err.response.get("Error", {}).get("Code", "")
    msg = err.response.get("Error", {}).get("Message", "")
    if during == "refresh" and code == "NotAuthorizedException":
        return SessionExpired("your session has expired. Run `studio-access login` again.")
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        if "flow not enabled" in msg.lower() or "not enabled for this client" in msg.lower():
            return UsageError(
                f"Cognito refused password sign-in ({msg}). Use `studio-access login` without --flow password (SRP)."
            )
        return AuthError(f"sign-in refused: {msg or 'wrong username or password'}.")
    if code == "PasswordResetRequiredException":
        return AuthError("your password must be reset: ask the platform team for a new temporary password.")
    if code == "UserNotConfirmedException":
        return AuthError("your account is not confirmed yet: ask the platform team.")
    if code == "InvalidPasswordException":
        return AuthError(f"the new password was refused: {msg}. Run `studio-access login` and choose another.")
    if code in ("CodeMismatchException", "ExpiredCodeException", "EnableSoftwareTokenMFAException"):
        return AuthError(f"the code was refused ({msg}). Run `studio-access login` again.")
    if code == "ResourceNotFoundException":
        return ConfigError(
            f"Cognito does not know the user pool or app client in your config file ({msg}): "
            "ask the platform team for a current config file."
        )
    if code == "InvalidParameterException" and "USER_SRP_AUTH" in msg:
        return UsageError(f"Cognito refused SRP sign-in ({msg}). Try `studio-access login --flow password`.")
    if code in ("TooManyRequestsException", "LimitExceededException"):
        return AuthError(f"Cognito is throttling sign-ins ({msg}); wait a minute and try again.")
    return AuthError(f"Cognito refused {during}: {code}: {msg}")


def login(idp: Any, cfg: Config, username: str, password: str, prompts: Prompts, flow: str = "srp") -> dict[str, Any]:
    """Run the sign-in to its AuthenticationResult, answering the challenges on the way."""
    if flow not in FLOWS:
        raise UsageError(f"--flow must be one of {', '.join(FLOWS)}")
    if cfg.identity_provider != "cognito":
        raise UsageError(
            f"this deployment signs in with an external OIDC issuer ({cfg.token_issuer}): get an "
            "access token from it and run `studio-access login --token-stdin`."
        )
    try:
        return _login(idp, cfg, username, password, prompts, flow)
    except (AuthError, UsageError):
        raise
    except Exception as err:  # botocore errors, mapped to what a person can do
        raise describe_error(err, during="sign-in") from None


def _login(idp: Any, cfg: Config, username: str, password: str, prompts: Prompts, flow: str) -> dict[str, Any]:
    srp = None
    if flow == "srp":
        from pycognito.aws_srp import AWSSRP

        srp = AWSSRP(
            username=username, password=password, pool_id=cfg.user_pool_id, client_id=cfg.client_id, client=idp
        )
        auth_params = srp.get_auth_params()
        resp = idp.initiate_auth(AuthFlow="USER_SRP_AUTH", AuthParameters=auth_params, ClientId=cfg.client_id)
    else:
        resp = idp.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
            ClientId=cfg.client_id,
        )
    for _ in range(MAX_CHALLENGES):
        if resp.get("AuthenticationResult"):
            return resp["AuthenticationResult"]
        name = resp.get("ChallengeName", "")
        params = resp.get("ChallengeParameters") or {}
        if name == "PASSWORD_VERIFIER" and srp is not None:
            answer = srp.process_challenge(params, auth_params)
            resp = idp.respond_to_auth_challenge(ClientId=cfg.client_id, ChallengeName=name, ChallengeResponses=answer)
            continue
        session = resp.get("Session")
        if name == "MFA_SETUP":
            answer, session = enrol_totp(idp, session, params.get("USERNAME", username), prompts)
        else:
            answer = challenge_response(name, params, username, prompts)
        kwargs: dict[str, Any] = {"ClientId": cfg.client_id, "ChallengeName": name, "ChallengeResponses": answer}
        if session:
            kwargs["Session"] = session
        resp = idp.respond_to_auth_challenge(**kwargs)
    raise AuthError("Cognito kept asking for more challenges; sign-in abandoned.")


def enrol_totp(idp: Any, session: str | None, username: str, prompts: Prompts) -> tuple[dict[str, str], str]:
    """The MFA_SETUP challenge (the pool requires MFA, the person has no authenticator yet): show
    the new TOTP secret, check a first code from the app, and return the challenge's answer and session."""
    if not session:
        raise AuthError("Cognito asked to set up MFA without a session; run `studio-access login` again.")
    associated = idp.associate_software_token(Session=session)
    secret = associated["SecretCode"]
    prompts.totp_secret(secret, totp_uri(secret, username))
    verified = idp.verify_software_token(
        Session=associated.get("Session", session),
        UserCode=prompts.mfa_code("MFA_SETUP"),
        FriendlyDeviceName=TOTP_ISSUER,
    )
    if verified.get("Status") != "SUCCESS":
        raise AuthError("Cognito did not accept the code from your authenticator app. Run `studio-access login` again.")
    return {"USERNAME": username}, verified.get("Session") or session


def refresh(idp: Any, cfg: Config, refresh_token: str) -> dict[str, Any]:
    try:
        resp = idp.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
            ClientId=cfg.client_id,
        )
    except Exception as err:
        raise describe_error(err, during="refresh") from None
    result = resp.get("AuthenticationResult")
    if not result:
        raise SessionExpired("Cognito did not renew your session. Run `studio-access login` again.")
    return result


def revoke(idp: Any, cfg: Config, refresh_token: str) -> str | None:
    """Revoke the refresh token at Cognito; return why it could not be, or None."""
    try:
        idp.revoke_token(Token=refresh_token, ClientId=cfg.client_id)
        return None
    except Exception as err:  # logout goes on locally whatever Cognito says
        return str(describe_error(err, during="sign-out"))
