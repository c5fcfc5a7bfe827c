"""Emulated AWS for the end-to-end test: moto in server mode, three kinds of account, and the
two answers moto does not give, supplied at the botocore level.

- moto has no `CreatePresignedDomainUrl`: `Fakes` answers it with a URL that names the
  account (of the credentials that call it), the domain and the profile, after checking the
  domain exists in that account (in moto) and the profile in that domain (kept here: moto has
  no user profiles). It raises SageMaker's `ResourceNotFound` otherwise.
- moto has no spaces: `Fakes` answers `DescribeSpace` and `ListSpaces` from the spaces it was given
  (sharing type and owner, app type), in the caller's account, or with SageMaker's `ResourceNotFound`.
- moto has no user profiles: `Fakes` answers `CreateUserProfile` as IAM and SageMaker would for
  the caller's role session: allowed only by a statement of the role's inline policies (the
  policies the LOB stack gives it, `components/access_role.py`) whose action, resource and
  conditions (`aws:RequestTag/...`, `aws:TagKeys`, with `${aws:SourceIdentity}` the session's
  source identity; `aws:sourceVpce` is taken as met: the function reaches SageMaker through the
  central endpoint) admit the request; then the profile exists in that domain.
- moto's `AssumeRole` succeeds for any role ARN, existing or not, and never reads a trust
  policy. `Fakes` refuses, with STS's `AccessDenied`, a role that does not exist in its account
  or whose trust policy does not allow the caller's role (or its account) `sts:AssumeRole`, and,
  as STS does, `sts:SetSourceIdentity` when the request sets a `SourceIdentity`, and the
  `sts:SourceIdentity` condition the trust puts on it; then it lets moto issue the credentials
  (moto maps them to the role's account). Every request is kept (`assume_role_calls`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import unquote, urlencode

import boto3
import botocore.client
from botocore.exceptions import ClientError

from testkit.aws import REGION

SHARED = "123456789012"  # moto's default account: unsigned Cognito calls land in it
FUNCTION_ROLE = "presigned-url-function"


@dataclass
class Creds:
    access_key: str
    secret_key: str
    token: str | None = None

    def client(self, service: str, endpoint: str) -> Any:
        return boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.token,
            region_name=REGION,
        ).client(service, endpoint_url=endpoint)


def _err(code: str, message: str, operation: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )


def caller_role_arn(caller_arn: str) -> str:
    """arn:aws:sts::A:assumed-role/R/session -> arn:aws:iam::A:role/R (what a trust policy names)."""
    if ":assumed-role/" in caller_arn:
        head, rest = caller_arn.split(":assumed-role/", 1)
        return head.replace(":sts:", ":iam:") + ":role/" + rest.split("/")[0]
    return caller_arn


def _condition_met(condition: Any, source_identity: str | None) -> bool:
    """The trust's conditions on sts:SourceIdentity, as IAM evaluates them (others are not modeled)."""
    for operator, block in (condition or {}).items():
        for key, wanted in block.items():
            if key.lower() != "sts:sourceidentity":
                continue
            wanted = wanted if isinstance(wanted, list) else [wanted]
            if operator == "Null":
                if (source_identity is None) != (str(wanted[0]).lower() == "true"):
                    return False
            elif operator in ("StringLike", "StringEquals"):
                if source_identity is None:
                    return False
                patterns = [re.escape(w).replace(r"\*", ".*").replace(r"\?", ".") for w in wanted]
                if operator == "StringEquals":
                    patterns = [re.escape(w) for w in wanted]
                if not any(re.fullmatch(p, source_identity) for p in patterns):
                    return False
            else:
                raise ValueError(f"unmodeled operator {operator} on sts:SourceIdentity")
    return True


def _glob(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value) is not None


def _condition_holds(condition: Any, tags: dict[str, str], person: str | None) -> bool:
    """The conditions a just-in-time statement carries, as IAM evaluates them for one request:
    aws:RequestTag/<key> and sagemaker:TaggingAction (StringEquals; ${aws:SourceIdentity} the
    session's), aws:TagKeys (ForAllValues:StringEquals); aws:sourceVpce is met on the central path."""
    for operator, block in (condition or {}).items():
        for key, wanted in block.items():
            wanted = [
                str(w).replace("${aws:SourceIdentity}", person or "\x00")
                for w in (wanted if isinstance(wanted, list) else [wanted])
            ]
            if key.lower() == "aws:sourcevpce":
                continue
            if operator == "StringEquals" and key.startswith("aws:RequestTag/"):
                if tags.get(key.split("/", 1)[1]) not in wanted:
                    return False
            elif operator == "StringEquals" and key == "sagemaker:TaggingAction":
                if "CreateUserProfile" not in wanted:
                    return False
            elif operator == "ForAllValues:StringEquals" and key == "aws:TagKeys":
                if not set(tags) <= set(wanted):
                    return False
            else:
                raise ValueError(f"unmodeled condition {operator} {key}")
    return True


def _allows(document: Any, action: str, resource: str, tags: dict[str, str], person: str | None) -> bool:
    """Does an identity policy allow ``action`` on ``resource`` for a request carrying ``tags``?"""
    doc = json.loads(unquote(document)) if isinstance(document, str) else document
    allowed = False
    for st in doc.get("Statement", []):
        actions = st.get("Action", [])
        resources = st.get("Resource", [])
        if action not in (actions if isinstance(actions, list) else [actions]):
            continue
        if not any(_glob(r, resource) for r in (resources if isinstance(resources, list) else [resources])):
            continue
        if not _condition_holds(st.get("Condition"), tags, person):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = True
    return allowed


def trust_allows(document: Any, caller_arn: str, source_identity: str | None = None) -> bool:
    """Does a trust policy allow this caller `sts:AssumeRole` (and `sts:SetSourceIdentity` when the
    request sets one)? AWS principals only."""
    doc = json.loads(unquote(document)) if isinstance(document, str) else document
    role_arn = caller_role_arn(caller_arn)
    account = role_arn.split(":")[4]
    needed = {"sts:AssumeRole"} | ({"sts:SetSourceIdentity"} if source_identity is not None else set())
    granted: set[str] = set()
    for st in doc.get("Statement", []):
        actions = st.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        principals = (st.get("Principal") or {}).get("AWS", [])
        principals = principals if isinstance(principals, list) else [principals]
        if not {role_arn, account, f"arn:aws:iam::{account}:root"} & set(principals):
            continue
        if not _condition_met(st.get("Condition"), source_identity):
            continue
        covered = {a for a in needed if a in actions or "sts:*" in actions}
        if st.get("Effect") == "Deny" and covered:
            return False
        if st.get("Effect") == "Allow":
            granted |= covered
    return granted == needed


@dataclass
class Fakes:
    endpoint: str
    admins: dict[str, Creds]  # account -> credentials with which to look things up in it
    profiles: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (account, domain) -> profiles
    # (account, domain, space) -> (sharing type "Private"/"Shared", owner profile)
    spaces: dict[tuple[str, str, str], tuple[str, str | None]] = field(default_factory=dict)
    presigned_calls: list[dict] = field(default_factory=list)
    assume_role_calls: list[dict] = field(default_factory=list)  # what each AssumeRole asked for
    describe_space_calls: list[dict] = field(default_factory=list)
    # (account, domain, space) -> app type (ListSpaces' AppType; default JupyterLab)
    space_apps: dict[tuple[str, str, str], str] = field(default_factory=dict)
    list_spaces_calls: list[dict] = field(default_factory=list)
    created_profiles: list[dict] = field(default_factory=list)
    # access key of an assumed role session -> its SourceIdentity (moto keeps none)
    source_identities: dict[str, str] = field(default_factory=dict)

    def _caller(self, client: Any, original: Any) -> tuple[str, str]:
        frozen = client._request_signer._credentials.get_frozen_credentials()
        sts = Creds(frozen.access_key, frozen.secret_key, frozen.token).client("sts", self.endpoint)
        ident = original(sts, "GetCallerIdentity", {})
        return ident["Account"], ident["Arn"]

    def assume_role(self, client: Any, params: dict, original: Any) -> dict:
        role_arn = params["RoleArn"]
        self.assume_role_calls.append(dict(params))
        _, caller_arn = self._caller(client, original)
        denied = _err(
            "AccessDenied",
            f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            "AssumeRole",
            403,
        )
        parts = role_arn.split(":")
        account, name = parts[4], parts[5].split("/")[-1]
        admin = self.admins.get(account)
        if admin is None:
            raise denied
        try:
            role = original(admin.client("iam", self.endpoint), "GetRole", {"RoleName": name})["Role"]
        except ClientError:
            raise denied from None
        if not trust_allows(role["AssumeRolePolicyDocument"], caller_arn, params.get("SourceIdentity")):
            raise denied
        answer = original(client, "AssumeRole", params)
        if "SourceIdentity" in params:
            self.source_identities[answer["Credentials"]["AccessKeyId"]] = params["SourceIdentity"]
        return answer

    def presigned_url(self, client: Any, params: dict, original: Any) -> dict:
        account, _ = self._caller(client, original)
        domain, profile = params["DomainId"], params["UserProfileName"]
        expires = params.get("ExpiresInSeconds", 300)
        if not 5 <= expires <= 300:
            raise _err("ValidationException", "ExpiresInSeconds must be 5-300", "CreatePresignedDomainUrl", 400)
        session = params.get("SessionExpirationDurationInSeconds")
        if session is not None and not 1800 <= session <= 43200:
            raise _err(
                "ValidationException",
                "SessionExpirationDurationInSeconds must be 1800-43200",
                "CreatePresignedDomainUrl",
                400,
            )
        creds = client._request_signer._credentials.get_frozen_credentials()
        sm = Creds(creds.access_key, creds.secret_key, creds.token).client("sagemaker", self.endpoint)
        try:
            original(sm, "DescribeDomain", {"DomainId": domain})
        except ClientError:
            raise _err("ResourceNotFound", f"Domain {domain} not found", "CreatePresignedDomainUrl", 400) from None
        if profile not in self.profiles.get((account, domain), set()):
            raise _err(
                "ResourceNotFound",
                f"User profile {profile} does not exist in domain {domain}",
                "CreatePresignedDomainUrl",
                400,
            )
        self.presigned_calls.append({"account": account, **params})
        query = {"token": "e2e", "account": account, "domain": domain, "profile": profile}
        for key, name in (("SpaceName", "space"), ("LandingUri", "landing")):
            if key in params:
                query[name] = params[key]
        return {
            "AuthorizedUrl": f"https://{domain}.studio.{REGION}.sagemaker.aws/auth?{urlencode(query)}",
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    def describe_space(self, client: Any, params: dict, original: Any) -> dict:
        account, _ = self._caller(client, original)
        self.describe_space_calls.append({"account": account, **params})
        found = self.spaces.get((account, params["DomainId"], params["SpaceName"]))
        if found is None:
            raise _err("ResourceNotFound", f"Space {params['SpaceName']} not found", "DescribeSpace", 400)
        sharing, owner = found
        answer: dict[str, Any] = {
            "DomainId": params["DomainId"],
            "SpaceName": params["SpaceName"],
            "Status": "InService",
            "SpaceSharingSettings": {"SharingType": sharing},
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }
        if owner is not None:
            answer["OwnershipSettings"] = {"OwnerUserProfileName": owner}
        return answer

    def list_spaces(self, client: Any, params: dict, original: Any) -> dict:
        account, _ = self._caller(client, original)
        self.list_spaces_calls.append({"account": account, **params})
        listed = []
        for (acct, domain, name), (sharing, owner) in sorted(self.spaces.items()):
            if acct != account or domain != params.get("DomainIdEquals", domain):
                continue
            entry: dict[str, Any] = {
                "DomainId": domain,
                "SpaceName": name,
                "Status": "InService",
                "SpaceSettingsSummary": {"AppType": self.space_apps.get((acct, domain, name), "JupyterLab")},
                "SpaceSharingSettingsSummary": {"SharingType": sharing},
            }
            if owner is not None:
                entry["OwnershipSettingsSummary"] = {"OwnerUserProfileName": owner}
            listed.append(entry)
        return {"Spaces": listed, "ResponseMetadata": {"HTTPStatusCode": 200}}

    def create_user_profile(self, client: Any, params: dict, original: Any) -> dict:
        account, caller_arn = self._caller(client, original)
        frozen = client._request_signer._credentials.get_frozen_credentials()
        person = self.source_identities.get(frozen.access_key)
        domain, profile = params["DomainId"], params["UserProfileName"]
        resource = f"arn:aws:sagemaker:{REGION}:{account}:user-profile/{domain}/{profile}"
        request_tags = {t["Key"]: t["Value"] for t in params.get("Tags", [])}
        role_name = caller_role_arn(caller_arn).rsplit("/", 1)[1]
        iam = self.admins[account].client("iam", self.endpoint)
        names = original(iam, "ListRolePolicies", {"RoleName": role_name})["PolicyNames"]
        documents = [
            original(iam, "GetRolePolicy", {"RoleName": role_name, "PolicyName": n})["PolicyDocument"] for n in names
        ]
        if not any(
            _allows(doc, "sagemaker:CreateUserProfile", resource, request_tags, person) for doc in documents
        ) or not any(_allows(doc, "sagemaker:AddTags", resource, request_tags, person) for doc in documents):
            raise _err(
                "AccessDeniedException",
                f"User: {caller_arn} is not authorized to perform: sagemaker:CreateUserProfile on resource: {resource}",
                "CreateUserProfile",
                400,
            )
        sm = Creds(frozen.access_key, frozen.secret_key, frozen.token).client("sagemaker", self.endpoint)
        try:
            original(sm, "DescribeDomain", {"DomainId": domain})
        except ClientError:
            raise _err("ResourceNotFound", f"Domain {domain} not found", "CreateUserProfile", 400) from None
        known = self.profiles.setdefault((account, domain), set())
        if profile in known:
            raise _err("ResourceInUse", f"User profile {profile} already exists", "CreateUserProfile", 400)
        known.add(profile)
        self.created_profiles.append({"account": account, "person": person, **params})
        return {"UserProfileArn": resource, "ResponseMetadata": {"HTTPStatusCode": 200}}

    @contextmanager
    def installed(self) -> Iterator[Fakes]:
        original = botocore.client.BaseClient._make_api_call
        fakes = self

        def call(client: Any, operation: str, params: dict) -> Any:
            service = client.meta.service_model.service_name
            if service == "sts" and operation == "AssumeRole":
                return fakes.assume_role(client, params, original)
            if service == "sagemaker" and operation == "CreatePresignedDomainUrl":
                return fakes.presigned_url(client, params, original)
            if service == "sagemaker" and operation == "DescribeSpace":
                return fakes.describe_space(client, params, original)
            if service == "sagemaker" and operation == "ListSpaces":
                return fakes.list_spaces(client, params, original)
            if service == "sagemaker" and operation == "CreateUserProfile":
                return fakes.create_user_profile(client, params, original)
            return original(client, operation, params)

        with mock.patch.object(botocore.client.BaseClient, "_make_api_call", call):
            yield self
