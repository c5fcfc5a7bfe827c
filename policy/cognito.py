"""Cognito (promise 13): long passwords, no implicit OAuth flow, MFA offered."""

from __future__ import annotations

from typing import Final

from ._props import get, number, strings
from .model import ADVISORY, MANDATORY, Props, Rule
from .resource_types import USER_POOL, USER_POOL_CLIENT

MIN_PASSWORD_LENGTH: Final = 12


def check_cognito(resource_type: str, props: Props) -> list[str]:
    problems = []
    if resource_type == USER_POOL:
        length = number(get(props, "passwordPolicy", "minimumLength"))
        if length is None or length < MIN_PASSWORD_LENGTH:
            shown = int(length) if length is not None else "unset (Cognito's default 8)"
            problems.append(f"passwordPolicy.minimumLength is {shown}: use {MIN_PASSWORD_LENGTH} or more")
    elif resource_type == USER_POOL_CLIENT:
        flows = [f.lower() for f in strings(get(props, "allowedOauthFlows"))]
        if "implicit" in flows:
            problems.append(
                "allowedOauthFlows includes implicit: tokens travel in URL fragments (browser history, referrers); use code"
            )
    return problems


COGNITO_PASSWORD_NO_IMPLICIT: Final = Rule(
    name="cognito-password-no-implicit",
    issue=13,
    enforcement=MANDATORY,
    description="Cognito pools require passwords of 12 or more characters; app clients do not allow the implicit OAuth flow.",
    guards="guessable passwords; tokens leaked through URL fragments",
    resource_check=check_cognito,
)


def check_cognito_mfa(resource_type: str, props: Props) -> list[str]:
    if resource_type != USER_POOL:
        return []
    mfa = get(props, "mfaConfiguration")
    if mfa not in ("ON", "OPTIONAL"):
        return [f"mfaConfiguration is {mfa or 'unset (OFF)'}: a stolen password alone signs in"]
    return []


COGNITO_MFA: Final = Rule(
    name="cognito-mfa",
    issue=13,
    enforcement=ADVISORY,
    description="Cognito pools offer MFA (ON or OPTIONAL).",
    guards="accounts that a stolen password alone opens",
    resource_check=check_cognito_mfa,
)

RULES: Final = (COGNITO_PASSWORD_NO_IMPLICIT, COGNITO_MFA)
