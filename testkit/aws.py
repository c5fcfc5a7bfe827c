"""Emulated AWS for the presigned-URL function: moto's DynamoDB, STS and SageMaker in process, and
``CreatePresignedDomainUrl``, ``DescribeSpace``, ``ListSpaces`` and ``CreateUserProfile`` (which
moto lacks) answered at the botocore level as SageMaker would, given the caller's assumed-role
credentials; ``CreateUserProfile`` as the LOB's access role allows it (`World.jit_accounts`: only
there, and only tagged with the session's person). Every call the function makes is recorded
(``AssumeRole``'s ``SourceIdentity`` included); any call can be answered otherwise
(``World.overrides``).

The tables are `contracts.tables`' (key, attributes); the environment the function gets is built
from `contracts.presigned_url_env`'s names."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts import presigned_url_env, tables, tags

from . import env, proofs

REGION = "us-east-1"
USERS_TABLE = "users-map-table"
LOBS_TABLE = "lobs-map-table"
ROLE_NAME = "SagemakerStudioAccessRole"
LOB_A, LOB_B, LOB_C = "111111111111", "222222222222", "333333333333"
ACCOUNTS = (LOB_A, LOB_B, LOB_C)
# Lambda's credentials and region, and the function's own environment.
CREDENTIALS = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
FUNCTION_ENV = env.of(
    presigned_url_env,
    users_table=USERS_TABLE,
    lobs_table=LOBS_TABLE,
    access_role_name=ROLE_NAME,
    url_expires_seconds="20",
    cache_ttl_seconds="60",
    proof_public_key=proofs.public_der_b64(),
)


def create_tables(dynamodb: Any, *names: str) -> None:
    """The users and LOBs tables' schema: a string hash key, on demand."""
    for name in names:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": tables.KEY, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": tables.KEY, "AttributeType": tables.KEY_TYPE}],
            BillingMode="PAY_PER_REQUEST",
        )


def user_item(username: str, lob: str | None, profile: str | None = None, **extra: str) -> dict[str, Any]:
    """A users-table item in DynamoDB's typed form; ``lob`` None: an item without a LOB."""
    item = {tables.KEY: username, **extra}
    if lob is not None:
        item[tables.USER_LOB] = lob
    if profile is not None:
        item[tables.USER_PROFILE] = profile
    return tables.typed(item)


def lob_item(lob: str, account: str | None, domain_id: str | None = None) -> dict[str, Any]:
    """A LOBs-table item in DynamoDB's typed form; ``account`` None: an item without one."""
    item = {tables.KEY: lob}
    if account is not None:
        item[tables.LOB_ACCOUNT_ID] = account
    if domain_id is not None:
        item[tables.LOB_DOMAIN_ID] = domain_id
    return tables.typed(item)


def error(status: int, code: str, message: str = "refused") -> tuple[Any, dict[str, Any]]:
    """An AWS error answer, as a ``before-call`` handler returns it."""
    from botocore.awsrequest import AWSResponse

    return AWSResponse("https://aws.invalid", status, {}, None), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]


Override = Callable[[dict[str, Any]], Any]


@dataclass
class World:
    """moto's DynamoDB, STS and SageMaker, plus a CreatePresignedDomainUrl answered at the botocore level."""

    calls: list[Call] = field(default_factory=list)
    profiles: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (account, domain id) -> profiles
    presigned: list[dict[str, Any]] = field(default_factory=list)  # what CreatePresignedDomainUrl received
    # "service.Operation" -> fn(params) -> an answer (see `error`), "http" (on to the HTTP layer) or None
    overrides: dict[str, Override] = field(default_factory=dict)
    domains: dict[tuple[str, str], str] = field(default_factory=dict)  # (account, name) -> domain id
    # (account, domain id, space name) -> (sharing type "Private"/"Shared"/None, owner profile or None)
    spaces: dict[tuple[str, str, str], tuple[str | None, str | None]] = field(default_factory=dict)
    # (account, domain id, space name) -> the space's app type (ListSpaces' AppType)
    space_apps: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # Accounts whose access role may create user profiles (lob.justInTimeProfiles), and what it made.
    jit_accounts: set[str] = field(default_factory=set)
    created_profiles: list[dict[str, Any]] = field(default_factory=list)
    clients: dict[tuple[str, str | None], Any] = field(default_factory=dict)

    def client(self, service: str, account: str | None = None) -> Any:
        """A setup client (the test's, not the function's), built once per account."""
        if (service, account) not in self.clients:
            extra = {}
            if account:
                role = f"arn:aws:iam::{account}:role/setup"
                creds = self.client("sts").assume_role(RoleArn=role, RoleSessionName="setup")["Credentials"]
                extra = {
                    "aws_access_key_id": creds["AccessKeyId"],
                    "aws_secret_access_key": creds["SecretAccessKey"],
                    "aws_session_token": creds["SessionToken"],
                }
            self.clients[(service, account)] = _setup_session().client(service, region_name=REGION, **extra)
        return self.clients[(service, account)]

    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    def assume_role_calls(self) -> list[dict[str, Any]]:
        """What each ``AssumeRole`` the function made asked for (RoleArn, SourceIdentity, ...)."""
        return [c.params for c in self.calls if c.operation == "AssumeRole"]

    def add_space(
        self,
        account: str,
        domain_id: str,
        name: str,
        sharing: str | None,
        owner: str | None = None,
        app_type: str = "JupyterLab",
    ) -> None:
        self.spaces[(account, domain_id, name)] = (sharing, owner)
        self.space_apps[(account, domain_id, name)] = app_type

    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    def put_user(self, username: str, lob: str | None, profile: str | None = None, **extra: str) -> None:
        self.dynamodb().put_item(TableName=USERS_TABLE, Item=user_item(username, lob, profile, **extra))

    def put_lob(self, lob: str, account: str | None, domain_id: str | None = None) -> None:
        self.dynamodb().put_item(TableName=LOBS_TABLE, Item=lob_item(lob, account, domain_id))

    def put_groups(self, mapping: dict[str, list[str]]) -> None:
        """The group mapping item of the LOBs table, as the stack writes it."""
        self.dynamodb().put_item(TableName=LOBS_TABLE, Item=tables.typed(tables.group_map_item(mapping)))

    def create_domain(self, account: str, name: str, profiles: Iterable[str] = ()) -> str:
        arn = self.client("sagemaker", account).create_domain(
            DomainName=name, AuthMode="IAM", DefaultUserSettings={}, SubnetIds=["subnet-1"], VpcId="vpc-1"
        )["DomainArn"]
        domain_id: str = arn.rsplit("/", 1)[1]
        self.domains[(account, name)] = domain_id
        self.profiles[(account, domain_id)] = set(profiles)
        return domain_id

    def set_domain_status(self, account: str, domain_id: str, status: str) -> None:
        from moto.sagemaker.models import sagemaker_backends

        sagemaker_backends[account][REGION].domains[domain_id].status = status

    @staticmethod
    def _session(request_signer: Any) -> tuple[str, str, str] | None:
        """(account, role ARN, session name) of the caller's (moto) assumed-role credentials; the
        function sets the session name to the source identity (moto keeps no SourceIdentity)."""
        from moto.sts.models import sts_backends

        access_key = request_signer._credentials.get_frozen_credentials().access_key
        for account in ACCOUNTS:
            assumed = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key)
            if assumed is not None:
                return account, assumed.role_arn, assumed.session_name
        return None

    @classmethod
    def _assumed_role(cls, request_signer: Any) -> tuple[str, str] | None:
        """(account, role ARN) of the caller's (moto) assumed-role credentials."""
        session = cls._session(request_signer)
        return None if session is None else session[:2]

    def _list_spaces(self, request_signer: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """What SageMaker's ListSpaces would answer in the caller's account (one page)."""
        from botocore.awsrequest import AWSResponse

        role = self._assumed_role(request_signer)
        if role is None:
            return error(400, "AccessDeniedException", "not an assumed LOB role")
        body = json.loads(params["body"])
        domain = body.get("DomainIdEquals")
        listed = []
        for (account, domain_id, name), (sharing, owner) in sorted(self.spaces.items()):
            if account != role[0] or (domain is not None and domain_id != domain):
                continue
            entry: dict[str, Any] = {"DomainId": domain_id, "SpaceName": name, "Status": "InService"}
            entry["SpaceSettingsSummary"] = {"AppType": self.space_apps.get((account, domain_id, name), "JupyterLab")}
            if sharing is not None:
                entry["SpaceSharingSettingsSummary"] = {"SharingType": sharing}
            if owner is not None:
                entry["OwnershipSettingsSummary"] = {"OwnerUserProfileName": owner}
            listed.append(entry)
        return AWSResponse("https://aws.invalid", 200, {}, None), {
            "Spaces": listed,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    def _create_user_profile(self, request_signer: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """What SageMaker would answer to the LOB's access role: denied unless the account opted in
        (`jit_accounts`) and the profile is tagged with the session's person and nothing else (the
        role's aws:RequestTag and aws:TagKeys conditions), in a domain of that account."""
        from botocore.awsrequest import AWSResponse
        from moto.sagemaker.models import sagemaker_backends

        session = self._session(request_signer)
        body = json.loads(params["body"])
        if session is None:
            return error(400, "AccessDeniedException", "not an assumed LOB role")
        account, role_arn, person = session
        wanted = [{"Key": tags.PERSON_TAG, "Value": person}]
        if account not in self.jit_accounts or body.get("Tags") != wanted:
            return error(400, "AccessDeniedException", f"{role_arn} is not authorized to sagemaker:CreateUserProfile")
        domain, profile = body["DomainId"], body["UserProfileName"]
        if domain not in sagemaker_backends[account][REGION].domains:
            return error(400, "ResourceNotFound", f"Domain {domain} not found")
        known = self.profiles.setdefault((account, domain), set())
        if profile in known:
            return error(400, "ResourceInUse", f"User profile {profile} already exists")
        known.add(profile)
        self.created_profiles.append({"account": account, "role": role_arn, **body})
        arn = f"arn:aws:sagemaker:{REGION}:{account}:user-profile/{domain}/{profile}"
        return AWSResponse("https://aws.invalid", 200, {}, None), {
            "UserProfileArn": arn,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    def _describe_space(self, request_signer: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """What SageMaker's DescribeSpace would answer in the caller's account."""
        from botocore.awsrequest import AWSResponse

        role = self._assumed_role(request_signer)
        if role is None:
            return error(400, "AccessDeniedException", "not an assumed LOB role")
        body = json.loads(params["body"])
        found = self.spaces.get((role[0], body["DomainId"], body["SpaceName"]))
        if found is None:
            return error(400, "ResourceNotFound", f"Space {body['SpaceName']} not found")
        sharing, owner = found
        answer: dict[str, Any] = {"DomainId": body["DomainId"], "SpaceName": body["SpaceName"], "Status": "InService"}
        if sharing is not None:
            answer["SpaceSharingSettings"] = {"SharingType": sharing}
        if owner is not None:
            answer["OwnershipSettings"] = {"OwnerUserProfileName": owner}
        return AWSResponse("https://aws.invalid", 200, {}, None), {
            **answer,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    def _presigned_domain_url(self, request_signer: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """What SageMaker would answer, given the caller's (moto) role credentials."""
        from botocore.awsrequest import AWSResponse
        from moto.sagemaker.models import sagemaker_backends

        role = self._assumed_role(request_signer)
        if role is None:
            return error(400, "AccessDeniedException", "not an assumed LOB role")
        account, role_arn = role
        body = json.loads(params["body"])
        self.presigned.append({"account": account, "role": role_arn, **body})
        domain, profile = body["DomainId"], body["UserProfileName"]
        if domain not in sagemaker_backends[account][REGION].domains or profile not in self.profiles.get(
            (account, domain), ()
        ):
            return error(400, "ResourceNotFound", f"User profile {profile} not found")
        url = f"https://{domain}.studio.{REGION}.sagemaker.aws/auth?token=SECRET-PRESIGNED-TOKEN"
        return AWSResponse("https://aws.invalid", 200, {}, None), {
            "AuthorizedUrl": url,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }

    # botocore event handlers, for every client created while the world is up

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append(Call(model.service_model.service_name, model.name, dict(params)))

    def _before_call(self, model: Any, params: dict[str, Any], request_signer: Any, **_: Any) -> Any:
        key = f"{model.service_model.service_name}.{model.name}"
        if key in self.overrides:
            answer = self.overrides[key](params)
            if answer == "http":  # let the request go on to the HTTP layer (retries, before-send)
                return None
            if answer is not None:
                return answer
        if key == "sagemaker.CreatePresignedDomainUrl":
            return self._presigned_domain_url(request_signer, params)
        if key == "sagemaker.DescribeSpace":
            return self._describe_space(request_signer, params)
        if key == "sagemaker.ListSpaces":
            return self._list_spaces(request_signer, params)
        if key == "sagemaker.CreateUserProfile":
            return self._create_user_profile(request_signer, params)
        return None


_SETUP_SESSION: Any = None


def _setup_session() -> Any:
    """One boto3 session for the tests' own setup calls (parsing service models once), made
    before the world's hooks are added, so its clients are neither recorded nor faked."""
    global _SETUP_SESSION
    if _SETUP_SESSION is None:
        import boto3

        _SETUP_SESSION = boto3.session.Session(region_name=REGION)
    return _SETUP_SESSION


@contextlib.contextmanager
def emulated() -> Iterator[World]:
    """moto up, the calls recorded and CreatePresignedDomainUrl answered, the sample's items and
    domains in place: users user-lob-a/-b of LOBs lob-a/-b in accounts LOB_A/LOB_B, each with a
    domain holding their profile (LOB A's also `data-scientist`). The caller sets the environment
    (`CREDENTIALS`, `FUNCTION_ENV`) first."""
    from botocore import handlers
    from moto import mock_aws

    world = World()
    added = [("before-parameter-build", world._record), ("before-call", world._before_call)]
    _setup_session()
    with mock_aws():
        handlers.BUILTIN_HANDLERS.extend(added)
        try:
            create_tables(world.dynamodb(), USERS_TABLE, LOBS_TABLE)
            world.put_user("user-lob-a", "lob-a")
            world.put_user("user-lob-b", "lob-b")
            world.put_lob("lob-a", LOB_A)
            world.put_lob("lob-b", LOB_B)
            world.create_domain(LOB_A, "sagemaker-domain-lob-a", profiles=["user-lob-a", "data-scientist"])
            world.create_domain(LOB_B, "sagemaker-domain-lob-b", profiles=["user-lob-b"])
            world.calls.clear()
            yield world
        finally:
            for spec in added:
                handlers.BUILTIN_HANDLERS.remove(spec)
