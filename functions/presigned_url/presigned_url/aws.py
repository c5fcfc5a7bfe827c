"""Every AWS call of the function, with the clients and caches of one container.

Clients are built once per container (standard retries, short timeouts). The person's users-table
row (or its absence), the group mapping, the LOB's account and domain, spaces (each one's answer,
and each domain's list), and an account's refusal to create profiles are kept for
``CACHE_TTL_SECONDS``; the credentials of
``arn:aws:iam::<account>:role/<role name>`` are assumed per person, with the person as
``SourceIdentity`` and ``RoleSessionName`` (the LOB account's CloudTrail names who opened
Studio), and kept per (account, person) until five minutes before they expire, at most
`MAX_SESSIONS` of them (least recently used out first: about 2 KB each). A warm request makes one
AWS call: ``CreatePresignedDomainUrl``; a warm ``/targets`` none.

One SageMaker client serves every account and person: SageMaker's endpoint is the region's, the
credentials decide the account. The client's credentials object is set to the person's before
each call (`_as`); a container runs one request at a time, so no request sees another's. A
client per person would cost about 750 KB and 20 ms to build each."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from contracts import lambda_env, tables

from .cache import TTLCache
from .errors import Failure, failure_for
from .mapping import (
    SpaceSummary,
    UserRow,
    parse_group_item,
    parse_lob_item,
    parse_user_item,
    person_tag,
    pick_domain,
    source_identity,
    space_allowed,
    space_summary,
)
from .settings import Settings

# Clients: standard retries (3 attempts), timeouts far below API Gateway's 29 s (and the
# integration's 12 s): the worst single call is about 3 x (1 + 3) s plus backoff.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=1,
    read_timeout=3,
    tcp_keepalive=True,
    user_agent_extra="studio-access-presigned-url",
)
CREDENTIALS_MARGIN_SECONDS = 300  # refresh assumed-role credentials 5 minutes before expiry
ROLE_SESSION_SECONDS = 3600  # role chaining: at most one hour
MAX_USERS = 1000
MAX_LOBS = 256
MAX_ACCOUNTS = 256
# Role sessions kept, one per (account, person): credentials only (about 2 KB each).
MAX_SESSIONS = 1000
MAX_SPACES = 1000
# Space lists kept, one per domain, each of at most MAX_LISTED_SPACES summaries (about 150 bytes each).
MAX_SPACE_LISTS = 256
MAX_LISTED_SPACES = 500
# The key of the group mapping in its cache (one entry).
_GROUPS = "groups"


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore error (``""`` when there is none)."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


_loader: Any = None


def _botocore_session() -> botocore.session.Session:
    """A new botocore session sharing the parsed service models with earlier ones (a reset is cheap)."""
    global _loader
    session = botocore.session.Session()
    if _loader is None:
        _loader = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _loader)
    return session


class Aws:
    """Settings, clients and caches of one container; ``calls`` counts the AWS calls made."""

    def __init__(self, settings: Settings, env: Mapping[str, str] = os.environ) -> None:
        self.settings = s = settings
        self.session = boto3.session.Session(botocore_session=_botocore_session(), region_name=s.region)
        self.calls = 0
        # Registered before any client exists, so every client (each copies the emitter) counts
        # its API calls (not retries; pages of a paginator each count).
        self.session.events.register("before-parameter-build", self._count)
        self.dynamodb = self.session.client("dynamodb", config=CLIENT_CONFIG)
        # The central STS endpoint (private DNS) is the regional one; the access role's policy
        # conditions on aws:sourceVpce. The SDK's endpoint variables override it (emulators).
        explicit = env.get(lambda_env.ENDPOINT_URL_STS.name) or env.get(lambda_env.ENDPOINT_URL.name)
        self.sts = self.session.client("sts", endpoint_url=None if explicit else s.sts_endpoint, config=CLIENT_CONFIG)
        # One SageMaker client; its credentials object is the person's, set before each call (`_as`).
        sagemaker = _botocore_session()
        sagemaker.set_credentials("unset", "unset", "unset")
        sagemaker.register("before-parameter-build", self._count)
        self._credentials = sagemaker.get_credentials()  # the very object the client signs with
        self.sagemaker = boto3.session.Session(botocore_session=sagemaker, region_name=s.region).client(
            "sagemaker", config=CLIENT_CONFIG
        )
        self.users: TTLCache[UserRow] = TTLCache(s.cache_ttl, MAX_USERS)
        self.groups: TTLCache[dict[str, tuple[str, ...]]] = TTLCache(s.cache_ttl, 1)
        self.lobs: TTLCache[tuple[str, str | None]] = TTLCache(s.cache_ttl, MAX_LOBS)
        self.domains: TTLCache[str] = TTLCache(s.cache_ttl, MAX_ACCOUNTS)
        self.spaces: TTLCache[bool] = TTLCache(s.cache_ttl, MAX_SPACES)
        # (account, domain) -> the domain's spaces, for /targets
        self.space_lists: TTLCache[tuple[SpaceSummary, ...]] = TTLCache(s.cache_ttl, MAX_SPACE_LISTS)
        # accounts whose access role may not create user profiles (just-in-time profiles off)
        self.no_profile_creation: TTLCache[bool] = TTLCache(s.cache_ttl, MAX_ACCOUNTS)
        # (account, username) -> (access key, secret key, session token)
        self.sessions: TTLCache[tuple[str, str, str]] = TTLCache(ROLE_SESSION_SECONDS, MAX_SESSIONS)

    def _count(self, **_: Any) -> None:
        self.calls += 1

    def _get_item(self, table: str, key: str) -> dict[str, Any] | None:
        found = self.dynamodb.get_item(TableName=table, Key=tables.typed({tables.KEY: key}))
        item: dict[str, Any] | None = found.get("Item")
        return item

    def user(self, username: str) -> UserRow:
        """A person's users-table row (`NO_ROW` when there is none, cached as well: most people
        are entitled by their groups alone); ``DISABLED`` is honoured within the cache's TTL."""
        found = self.users.get(username)
        if found is None:
            found = parse_user_item(self._get_item(self.settings.users_table, username))
            self.users.put(username, found)
        return found

    def group_map(self) -> dict[str, tuple[str, ...]]:
        """The identity provider's groups mapped to LOBs (the LOBs table's one mapping item)."""
        found = self.groups.get(_GROUPS)
        if found is None:
            found = parse_group_item(self._get_item(self.settings.lobs_table, tables.GROUPS_ITEM_KEY))
            self.groups.put(_GROUPS, found)
        return found

    def lob(self, lob: str) -> tuple[str, str | None]:
        """(account, domain or None) of a LOB."""
        found = self.lobs.get(lob)
        if found is None:
            found = parse_lob_item(self._get_item(self.settings.lobs_table, lob), lob)
            self.lobs.put(lob, found)
        return found

    def assume(self, account: str, username: str) -> tuple[str, str, str]:
        """The access role's credentials for this person (``SourceIdentity`` = the person), kept
        until 5 minutes before they expire."""
        found = self.sessions.get((account, username))
        if found is None:
            identity = source_identity(username)
            try:
                creds = self.sts.assume_role(
                    RoleArn=self.settings.role_arn(account),
                    RoleSessionName=identity,
                    SourceIdentity=identity,
                    DurationSeconds=ROLE_SESSION_SECONDS,
                )["Credentials"]
            except ClientError as error:
                raise failure_for(error_code(error), "AssumeRole") from error
            found = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
            expires = creds["Expiration"].timestamp() - CREDENTIALS_MARGIN_SECONDS
            self.sessions.put((account, username), found, expires_at=expires)
        return found

    def _as(self, session: tuple[str, str, str]) -> Any:
        """The SageMaker client, acting with this role session's credentials."""
        c = self._credentials
        c.access_key, c.secret_key, c.token = session
        return self.sagemaker

    def domain(self, account: str, lob: str, session: tuple[str, str, str]) -> str:
        """The account's one InService domain (``ListDomains``), for a LOB item without a domain id."""
        found = self.domains.get(account)
        if found is None:
            domains: list[dict[str, Any]] = []
            for page in self._as(session).get_paginator("list_domains").paginate():
                domains.extend(page.get("Domains", []))
            found = pick_domain(domains, lob)
            self.domains.put(account, found)
        return found

    def check_space(self, account: str, domain: str, space: str, profile: str, session: tuple[str, str, str]) -> None:
        """Refuse a space that is neither shared in the domain nor this profile's own private
        space (``DescribeSpace``, the answer kept for the cache's TTL)."""
        key = (account, domain, space, profile)
        allowed = self.spaces.get(key)
        if allowed is None:
            try:
                described = self._as(session).describe_space(DomainId=domain, SpaceName=space)
            except ClientError as error:
                raise failure_for(error_code(error), "DescribeSpace") from error
            allowed = space_allowed(described, profile)
            self.spaces.put(key, allowed)
        if not allowed:
            raise Failure(403, "space-refused", f"space {space!r} is neither shared nor {profile!r}'s own")

    def list_spaces(self, account: str, domain: str, session: tuple[str, str, str]) -> tuple[SpaceSummary, ...]:
        """The domain's spaces (``ListSpaces``, at most `MAX_LISTED_SPACES`), kept for the cache's TTL."""
        key = (account, domain)
        found = self.space_lists.get(key)
        if found is None:
            listed: list[SpaceSummary] = []
            pages = self._as(session).get_paginator("list_spaces").paginate(DomainIdEquals=domain)
            for page in pages:
                listed.extend(s for s in map(space_summary, page.get("Spaces", [])) if s is not None)
                if len(listed) >= MAX_LISTED_SPACES:
                    break
            found = tuple(listed[:MAX_LISTED_SPACES])
            self.space_lists.put(key, found)
        return found

    def create_profile(
        self, account: str, domain: str, profile: str, username: str, session: tuple[str, str, str]
    ) -> None:
        """A just-in-time user profile for the person in this domain, tagged with them
        (``CreateUserProfile``): only a LOB that opted in lets its access role do it. Refused
        (the LOB did not opt in, or the tag cannot hold the person) is a 404 no-profile; the
        refusal is kept for the cache's TTL, so a LOB without the opt-in is not asked again."""
        if self.no_profile_creation.get(account):
            raise Failure(404, "no-profile", "no user profile; this LOB does not create profiles just in time")
        tag = person_tag(source_identity(username))
        if tag is None:
            raise Failure(404, "no-profile", "no user profile; the person's name cannot be a SageMaker tag value")
        try:
            self._as(session).create_user_profile(DomainId=domain, UserProfileName=profile, Tags=[tag])
        except ClientError as error:
            code = error_code(error)
            if code.startswith("AccessDenied"):
                self.no_profile_creation.put(account, True)
                raise Failure(
                    404,
                    "no-profile",
                    "no user profile; the LOB's access role may not create one (justInTimeProfiles off)",
                ) from error
            if code in ("ResourceInUse", "ResourceInUseException"):
                return  # made a moment ago by another request of the person
            raise failure_for(code, "CreateUserProfile") from error

    def presigned_url(self, account: str, session: tuple[str, str, str], request: dict[str, Any]) -> str:
        """``CreatePresignedDomainUrl``; a profile (or domain) not found forgets the account's domain."""
        try:
            return str(self._as(session).create_presigned_domain_url(**request)["AuthorizedUrl"])
        except ClientError as error:
            if failure_for(error_code(error), "CreatePresignedDomainUrl").status == 404:
                self.domains.discard(account)  # a discovered domain may be gone
            raise
