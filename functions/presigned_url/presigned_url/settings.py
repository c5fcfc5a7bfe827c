"""The function's environment, read once per container: names, defaults and bounds are
`contracts.presigned_url_env`'s; every problem is reported at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from contracts import names
from contracts import presigned_url_env as contract

from .errors import ConfigError
from .proof import RsaPublicKey

_ROLE_NAME_RE = re.compile(names.IAM_ROLE_NAME)
_REGION_RE = re.compile(names.REGION)


@dataclass(frozen=True)
class Settings:
    users_table: str
    lobs_table: str
    role_name: str
    url_expires: int
    session_expiration: int | None  # None: SageMaker's default
    cache_ttl: int
    region: str
    proof_key: RsaPublicKey

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"

    @property
    def sts_endpoint(self) -> str:
        suffix = "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"
        return f"https://sts.{self.region}.{suffix}"

    def role_arn(self, account: str) -> str:
        return f"arn:{self.partition}:iam::{account}:role/{self.role_name}"


def load_settings(env: Mapping[str, str]) -> Settings:
    """The settings from ``env``; every problem at once in a ``ConfigError``."""
    problems = [f"{var.name}: required" for var in contract.ALL if var.required and not var.text(env)]
    role_name, region = contract.ACCESS_ROLE_NAME.text(env), contract.AWS_REGION.text(env)
    if role_name and not _ROLE_NAME_RE.fullmatch(role_name):
        problems.append(f"{contract.ACCESS_ROLE_NAME.name}: {role_name!r} is not an IAM role name")
    if region and not _REGION_RE.fullmatch(region):
        problems.append(f"{contract.AWS_REGION.name}: {region!r} is not a region")
    expires = contract.URL_EXPIRES_SECONDS.integer(env, problems)
    session = contract.SESSION_EXPIRATION_SECONDS.integer(env, problems)
    ttl = contract.CACHE_TTL_SECONDS.integer(env, problems)
    key: RsaPublicKey | None = None
    if contract.PROOF_PUBLIC_KEY.text(env):
        try:
            key = RsaPublicKey.from_der_b64(contract.PROOF_PUBLIC_KEY.text(env))
        except ValueError as error:
            problems.append(f"{contract.PROOF_PUBLIC_KEY.name}: not a base64 DER RSA public key ({error})")
    if problems:
        raise ConfigError("invalid presigned-URL environment: " + "; ".join(problems))
    assert expires is not None and ttl is not None and key is not None  # defaults; required
    return Settings(
        contract.USERS_TABLE.text(env), contract.LOBS_TABLE.text(env), role_name, expires, session, ttl, region, key
    )
