"""Identity and sessions (promise 13): Cognito pools, their clients and users, and how long a sign-in
lasts along the access path (tokens, the authorizer's cache, the Studio session).

The config refuses what these rules refuse (docs/configuration.md), so the project's stacks pass;
a rule fires on a change to the code, or a resource made outside the components. The one opt-out
the config offers, Cognito threat protection below ENFORCED (its Plus feature plan costs money),
is declared on the pool (`contracts.tags.THREAT_PROTECTION_TAG`): the mandatory rule accepts a
pool whose actual mode is the declared one, and an advisory rule reports every such pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from contracts import authorizer_env, presigned_url_env
from contracts.tags import (
    FUNCTION_TAG,
    PRESIGNED_URL_FUNCTION,
    THREAT_PROTECTION_ENFORCED,
    THREAT_PROTECTION_TAG,
)

from ._props import get, number, strings, tags_of
from .model import ADVISORY, MANDATORY, Props, Resource, Rule
from .resource_types import AUTHORIZER, COGNITO_USER, FUNCTION, USER_POOL, USER_POOL_CLIENT

MIN_PASSWORD_LENGTH: Final = 12
# Access and ID tokens: a signed-out or disabled person's token passes signature checks this long.
MAX_ACCESS_TOKEN_MINUTES: Final = 60
# Refresh tokens: at most a day, then the person signs in again (with MFA).
MAX_REFRESH_TOKEN_MINUTES: Final = 24 * 60
# A Studio session: at most a working day.
MAX_STUDIO_SESSION_SECONDS: Final = 8 * 3600
# The feature plan threat protection needs.
PLUS_TIER: Final = "PLUS"
# The tags (key, value) these rules key on; the components set them (the example's pool: ENFORCED).
KEYED_TAGS: Final = ((THREAT_PROTECTION_TAG, THREAT_PROTECTION_ENFORCED),)

_UNIT_MINUTES: Final = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0, "days": 24 * 60.0}
# Cognito's defaults when an app client leaves a validity or its unit unset.
_TOKEN_DEFAULTS: Final = {
    "accessToken": ("accessTokenValidity", 60.0, "hours"),
    "idToken": ("idTokenValidity", 60.0, "hours"),
    "refreshToken": ("refreshTokenValidity", 30 * 24 * 60.0, "days"),
}


def _token_minutes(props: Props, token: str) -> float | None:
    """A client's token lifetime in minutes, with Cognito's defaults (1 hour; refresh: 30 days)."""
    key, default_minutes, default_unit = _TOKEN_DEFAULTS[token]
    raw = get(props, key)
    if raw is None:
        return default_minutes
    value = number(raw)
    factor = _UNIT_MINUTES.get(str(get(props, "tokenValidityUnits", token) or default_unit))
    return value * factor if value is not None and factor is not None else None


def _shown(minutes: float) -> str:
    return f"{minutes:g} minutes" if minutes < 120 else f"{minutes / 60:g} hours"


# --------------------------------------------------------------------------- passwords and flows


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

# --------------------------------------------------------------------------- MFA


def check_cognito_mfa(resource_type: str, props: Props) -> list[str]:
    if resource_type != USER_POOL:
        return []
    problems = []
    mfa = get(props, "mfaConfiguration")
    if mfa != "ON":
        problems.append(
            f"mfaConfiguration is {mfa or 'unset (OFF)'}, not ON: whoever holds a person's password signs in as them"
        )
    if get(props, "softwareTokenMfaConfiguration", "enabled") is not True:
        problems.append("softwareTokenMfaConfiguration.enabled is not true: TOTP (an authenticator app) is the factor")
    if get(props, "smsConfiguration"):
        problems.append("smsConfiguration is set: SMS codes can be intercepted (SIM swap); TOTP only")
    return problems


COGNITO_MFA_REQUIRED: Final = Rule(
    name="cognito-mfa-required",
    issue=13,
    enforcement=MANDATORY,
    description="Cognito pools require MFA (mfaConfiguration ON) with TOTP, and no SMS.",
    guards="accounts that a stolen password alone opens; codes intercepted by text message",
    resource_check=check_cognito_mfa,
)

# --------------------------------------------------------------------------- threat protection


def _threat_protection(props: Props) -> str:
    mode = get(props, "userPoolAddOns", "advancedSecurityMode")
    return mode if isinstance(mode, str) and mode else "OFF"


def check_threat_protection(resource_type: str, props: Props) -> list[str]:
    if resource_type != USER_POOL:
        return []
    mode, tier = _threat_protection(props), get(props, "userPoolTier")
    declared = tags_of(props).get(THREAT_PROTECTION_TAG)
    problems = []
    if mode != THREAT_PROTECTION_ENFORCED and declared != mode:
        problems.append(
            f"threat protection (userPoolAddOns.advancedSecurityMode) is {mode}, but the pool's "
            f"{THREAT_PROTECTION_TAG} tag declares {declared or 'nothing'}: it must be {THREAT_PROTECTION_ENFORCED} "
            "unless the stack config opts out (identity.threatProtection)"
        )
    if mode != "OFF" and tier != PLUS_TIER:
        problems.append(
            f"threat protection {mode} on the {tier or 'default (Essentials)'} feature plan: "
            f"it needs userPoolTier {PLUS_TIER}, or Cognito refuses it"
        )
    return problems


COGNITO_THREAT_PROTECTION: Final = Rule(
    name="cognito-threat-protection",
    issue=13,
    enforcement=MANDATORY,
    description=f"Cognito pools have threat protection ENFORCED on the Plus plan, unless the pool's "
    f"{THREAT_PROTECTION_TAG} tag declares the config's opt-out (AUDIT or OFF) and the pool has exactly that.",
    guards="sign-ins with leaked passwords and risky sign-ins let through, without the operator having chosen it",
    resource_check=check_threat_protection,
)


def check_threat_protection_opt_out(resource_type: str, props: Props) -> list[str]:
    if resource_type != USER_POOL:
        return []
    mode = _threat_protection(props)
    if mode == THREAT_PROTECTION_ENFORCED:
        return []
    return [
        f"threat protection is {mode}: sign-ins with leaked passwords or rated high-risk are not blocked "
        "(identity.threatProtection; docs/security.md#mfa-and-threat-protection)"
    ]


COGNITO_THREAT_PROTECTION_OPT_OUT: Final = Rule(
    name="cognito-threat-protection-opt-out",
    issue=13,
    enforcement=ADVISORY,
    description="Reports every Cognito pool whose threat protection is not ENFORCED (the config's opt-out, to review).",
    guards="an opt-out from threat protection nobody sees again",
    resource_check=check_threat_protection_opt_out,
)

# --------------------------------------------------------------------------- tokens and first passwords


def check_token_lifetimes(resource_type: str, props: Props) -> list[str]:
    if resource_type != USER_POOL_CLIENT:
        return []
    problems = []
    for token, limit in (
        ("accessToken", MAX_ACCESS_TOKEN_MINUTES),
        ("idToken", MAX_ACCESS_TOKEN_MINUTES),
        ("refreshToken", MAX_REFRESH_TOKEN_MINUTES),
    ):
        minutes = _token_minutes(props, token)
        if minutes is None:
            problems.append(f"{_TOKEN_DEFAULTS[token][0]} or its unit cannot be read: state it in minutes")
        elif minutes > limit:
            problems.append(
                f"{_TOKEN_DEFAULTS[token][0]} is {_shown(minutes)}, longer than {_shown(limit)}: "
                "a signed-out or disabled person keeps it that long"
            )
    if get(props, "enableTokenRevocation") is not True:
        problems.append("enableTokenRevocation is not true: signing out cannot end a refresh token")
    return problems


COGNITO_TOKEN_LIFETIMES: Final = Rule(
    name="cognito-token-lifetimes",
    issue=13,
    enforcement=MANDATORY,
    description="App clients issue access and ID tokens of at most 60 minutes and refresh tokens of at most a day, "
    "and can revoke them.",
    guards="a signed-out, disabled or stolen session that keeps working for hours or weeks",
    resource_check=check_token_lifetimes,
)


def check_own_first_password(resource_type: str, props: Props) -> list[str]:
    if resource_type != COGNITO_USER:
        return []
    problems = [
        f"{key} is set: a password passes through the stack and its state (and, given to several users, "
        "opens each account that has not signed in yet); let Cognito mail each person their own "
        "(desiredDeliveryMediums EMAIL with an email attribute)"
        for key in ("temporaryPassword", "password")
        if get(props, key)
    ]
    return problems


COGNITO_OWN_FIRST_PASSWORD: Final = Rule(
    name="cognito-own-first-password",
    issue=13,
    enforcement=MANDATORY,
    description="Cognito users get no password from the stack: Cognito mails each person their own temporary one.",
    guards="one first password shared by every new user, readable in the stack's config and state",
    resource_check=check_own_first_password,
)

# --------------------------------------------------------------------------- the access path's caches and sessions


def check_authorizer_cache(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """API Gateway's cache of an authorizer's allow never outlives the pool's access tokens."""
    lifetimes = [
        minutes for r in resources if r.type == USER_POOL_CLIENT and (minutes := _token_minutes(r.props, "accessToken"))
    ]
    if not lifetimes:
        return []  # an external issuer: its token lifetime is not in the stack (the config bounds the cache)
    limit = min(lifetimes) * 60
    found = []
    for r in resources:
        if r.type != AUTHORIZER:
            continue
        raw = get(r.props, "authorizerResultTtlInSeconds")
        ttl = 300.0 if raw is None else number(raw)  # API Gateway's default
        if ttl is None or ttl > limit:
            found.append(
                (
                    r,
                    f"authorizerResultTtlInSeconds is {raw if raw is not None else 'unset (300)'}, longer than the "
                    f"access tokens' {limit:g} s: API Gateway would keep allowing a token after it expired or was revoked",
                )
            )
    return found


AUTHORIZER_CACHE_WITHIN_TOKEN: Final = Rule(
    name="authorizer-cache-within-token-lifetime",
    issue=13,
    enforcement=MANDATORY,
    description="An API authorizer's result cache (authorizerResultTtlInSeconds) is no longer than the Cognito app "
    "client's access-token lifetime.",
    guards="an expired or revoked token still let through from API Gateway's cache",
    stack_check=check_authorizer_cache,
)


def _variables(props: Props) -> dict[str, object]:
    variables = get(props, "environment", "variables")
    return dict(variables) if isinstance(variables, Mapping) else {}


def check_email_verified(resource_type: str, props: Props) -> list[str]:
    if resource_type != FUNCTION:
        return []
    variables = _variables(props)
    if variables.get(authorizer_env.USERNAME_CLAIM.name) != "email":
        return []
    if str(variables.get(authorizer_env.REQUIRE_EMAIL_VERIFIED.name, "")).lower() != "true":
        return [
            f"{authorizer_env.USERNAME_CLAIM.name} is email without {authorizer_env.REQUIRE_EMAIL_VERIFIED.name}=true: "
            "an address the person typed but never proved names them"
        ]
    return []


AUTHORIZER_EMAIL_VERIFIED: Final = Rule(
    name="authorizer-email-verified",
    issue=13,
    enforcement=MANDATORY,
    description="An authorizer that names people by their email claim requires email_verified.",
    guards="a person who sets someone else's (unverified) email at the issuer opening that person's Studio",
    resource_check=check_email_verified,
)


def check_studio_session(resource_type: str, props: Props) -> list[str]:
    if resource_type != FUNCTION or tags_of(props).get(FUNCTION_TAG) != PRESIGNED_URL_FUNCTION:
        return []
    name = presigned_url_env.SESSION_EXPIRATION_SECONDS.name
    raw = _variables(props).get(name)
    seconds = number(raw)
    if raw is None or seconds is None or seconds > MAX_STUDIO_SESSION_SECONDS:
        shown = "unset (SageMaker's default, 12 hours)" if raw is None else str(raw)
        return [f"{name} is {shown}: a Studio session must end within {MAX_STUDIO_SESSION_SECONDS} s (8 hours)"]
    return []


STUDIO_SESSION_MAX_8H: Final = Rule(
    name="studio-session-max-8h",
    issue=13,
    enforcement=MANDATORY,
    description="The presigned-URL function asks for Studio sessions of at most 8 hours (SESSION_EXPIRATION_SECONDS).",
    guards="a Studio session that outlives the working day, and a cut-off person's browser session",
    resource_check=check_studio_session,
)

RULES: Final = (
    COGNITO_PASSWORD_NO_IMPLICIT,
    COGNITO_MFA_REQUIRED,
    COGNITO_THREAT_PROTECTION,
    COGNITO_THREAT_PROTECTION_OPT_OUT,
    COGNITO_TOKEN_LIFETIMES,
    COGNITO_OWN_FIRST_PASSWORD,
    AUTHORIZER_CACHE_WITHIN_TOKEN,
    AUTHORIZER_EMAIL_VERIFIED,
    STUDIO_SESSION_MAX_8H,
)
