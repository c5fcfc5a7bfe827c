"""Read-only sessions, one per account: how the doctor reaches each stack's account.

Per stack, the first that is given: `--role-arn STACK=ARN` (assumed from the base credentials,
or from `--profile STACK=PROFILE` when both are given), `--profile STACK=PROFILE`, the stack
file's `aws.assumeRoleArn` / `aws.profile`, the environment's credentials. Every session is
guarded read-only (`readonly.guard`), and its caller must be in the stack's account: a session
for another account reads nothing and every link of the stack says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.loaders import Loader, create_loader

from . import readonly
from .links import Unreadable

SESSION_NAME = "studio-access-doctor"
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="studio-access-doctor",
)


@dataclass(frozen=True)
class Access:
    """How to get credentials for one account."""

    profile: str | None = None
    role_arn: str | None = None

    def describe(self) -> str:
        parts = [f"role {self.role_arn}" if self.role_arn else "", f"profile {self.profile}" if self.profile else ""]
        return " from ".join(p for p in parts if p) or "the environment's credentials"


SessionFactory = Callable[..., Any]  # boto3.Session's signature

# One loader for every session: the service models are parsed once, not once per account.
_LOADER: Loader | None = None


def _botocore_session() -> Any:
    global _LOADER
    if _LOADER is None:
        _LOADER = create_loader()
    session = botocore.session.Session()
    session.register_component("data_loader", _LOADER)
    return session


@dataclass
class Account:
    """Read-only clients in one account, or the reason there are none."""

    account_id: str
    region: str
    session: Any = None
    caller: str = ""  # the caller's ARN
    problem: str = ""  # why there is no session
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if self.session is None:
            raise Unreadable(self.problem)
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=self.region, config=CLIENT_CONFIG)
        return self._clients[service]


def open_account(account_id: str, region: str, access: Access, new_session: SessionFactory = boto3.Session) -> Account:
    """A guarded session in `account_id`; on failure an Account whose reads say why."""
    account = Account(account_id, region)
    try:
        session = new_session(profile_name=access.profile, region_name=region, botocore_session=_botocore_session())
        if access.role_arn:
            creds = session.client("sts", config=CLIENT_CONFIG).assume_role(
                RoleArn=access.role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=900
            )["Credentials"]
            session = new_session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=region,
                botocore_session=_botocore_session(),
            )
        readonly.guard(session)
        identity = session.client("sts", config=CLIENT_CONFIG).get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        account.problem = f"no credentials for account {account_id} with {access.describe()}: {_reason(exc)}"
        return account
    if identity.get("Account") != account_id:
        account.problem = (
            f"{access.describe()} reaches account {identity.get('Account')} ({identity.get('Arn')}), not {account_id}"
        )
        return account
    account.session, account.caller = session, str(identity.get("Arn", ""))
    return account


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code')}: {error.get('Message')}"
    return str(exc)
