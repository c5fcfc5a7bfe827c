"""Not tests: the four calls moto cannot answer for the doctor, answered at the botocore level,
and a record of every call the doctor makes (service, operation, account).

Faked, each for one operation only (everything else goes to the moto server):
- iam:SimulatePrincipalPolicy: moto raises NotImplementedError. Answered by evaluating the
  principal's policies as moto holds them (inline and attached; Allow/Deny, Action/NotAction,
  Resource with wildcards, StringEquals/StringLike/StringNotEquals/StringNotLike/Bool conditions
  on the given context keys): a role policy changed in moto changes the answer.
- ram:GetResourceShareInvitations: moto has no invitations; answered from `World.invitations`.
- route53resolver:ListResolverRuleAssociations: moto cannot associate another account's rule;
  answered from `World.rule_associations`.
- sagemaker:DescribeUserProfile: moto has no user profiles; answered from `World.profiles`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from botocore import handlers
from botocore.awsrequest import AWSResponse

from testkit.aws import error

from .world import REGION, World


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    account: str  # the caller's account ("base": the credentials the doctor assumes roles with)
    faked: bool


Override = Callable[[dict[str, Any], str], Any]  # (params, account) -> an answer or None


def ok(body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    return AWSResponse("https://fake.invalid", 200, {}, None), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}


@dataclass
class Fakes:
    world: World
    calls: list[Call] = field(default_factory=list)
    overrides: dict[str, Override] = field(default_factory=dict)  # "service.Operation" -> answer

    def caller(self, request_signer: Any) -> str:
        from moto.sts.models import sts_backends

        access_key = request_signer._credentials.get_frozen_credentials().access_key
        for account in set(self.world.accounts.values()):
            if sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key) is not None:
                return account
        return "base"

    @staticmethod
    def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """The call's own parameters (before-call sees only the serialized request)."""
        context["fake_params"] = dict(params)

    def _before_call(self, model: Any, request_signer: Any, context: dict[str, Any], **_: Any) -> Any:
        service, operation = model.service_model.service_name, model.name
        params = context.get("fake_params", {})
        account = self.caller(request_signer)
        key = f"{service}.{operation}"
        answer = None
        if key in self.overrides:
            answer = self.overrides[key](params, account)
        if answer is None and key in ANSWERS:
            answer = ANSWERS[key](self, params, account)
        self.calls.append(Call(service, operation, account, answer is not None))
        return answer

    @contextlib.contextmanager
    def installed(self) -> Iterator[Fakes]:
        specs = [("before-parameter-build", self._keep_params), ("before-call", self._before_call)]
        handlers.BUILTIN_HANDLERS.extend(specs)
        try:
            yield self
        finally:
            for spec in specs:
                handlers.BUILTIN_HANDLERS.remove(spec)

    # ------------------------------------------------------------------ the four answers

    def simulate(self, params: dict[str, Any], account: str) -> Any:
        principal = params["PolicySourceArn"]
        principal_account, name = principal.split(":")[4], principal.rsplit("/", 1)[-1]
        iam = self.world.client(principal_account, "iam")
        try:
            documents = [
                iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
            ]
        except iam.exceptions.NoSuchEntityException:
            return error(404, "NoSuchEntity", f"role {name} not found")
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            documents.append(
                iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])[
                    "PolicyVersion"
                ]["Document"]
            )
        context = {e["ContextKeyName"].lower(): e["ContextKeyValues"] for e in params.get("ContextEntries", [])}
        results = [
            {
                "EvalActionName": action,
                "EvalResourceName": resource,
                "EvalDecision": decide(documents, action, resource, context),
            }
            for action in params["ActionNames"]
            for resource in params.get("ResourceArns") or ["*"]
        ]
        return ok({"EvaluationResults": results, "IsTruncated": False})

    def invitations(self, params: dict[str, Any], account: str) -> Any:
        found = []
        for (receiver, share), status in self.world.invitations.items():
            if receiver == account and share in params.get("resourceShareArns", [share]):
                found.append(
                    {
                        "resourceShareInvitationArn": share.replace("resource-share/", "resource-share-invitation/"),
                        "resourceShareArn": share,
                        "senderAccountId": share.split(":")[4],
                        "receiverAccountId": account,
                        "status": status,
                        "invitationTimestamp": datetime.now(UTC),
                    }
                )
        return ok({"resourceShareInvitations": found})

    def rule_associations(self, params: dict[str, Any], account: str) -> Any:
        vpcs = {v for f in params.get("Filters", []) if f["Name"] == "VPCId" for v in f["Values"]}
        found = [
            {
                "Id": f"rslvr-rrassoc-{abs(hash((vpc, rule))) % 10**17:017d}",
                "ResolverRuleId": rule,
                "Name": rule,
                "VPCId": vpc,
                "Status": status,
                "StatusMessage": "",
            }
            for (owner, vpc), rules in self.world.rule_associations.items()
            if owner == account and (not vpcs or vpc in vpcs)
            for rule, status in rules.items()
        ]
        return ok({"ResolverRuleAssociations": found})

    def user_profile(self, params: dict[str, Any], account: str) -> Any:
        domain, name = params["DomainId"], params["UserProfileName"]
        status = self.world.profiles.get((account, domain), {}).get(name)
        if status is None:
            return error(400, "ResourceNotFound", f"User profile {name} does not exist in domain {domain}")
        return ok(
            {
                "DomainId": domain,
                "UserProfileName": name,
                "UserProfileArn": f"arn:aws:sagemaker:{REGION}:{account}:user-profile/{domain}/{name}",
                "Status": status,
            }
        )


ANSWERS: dict[str, Callable[[Fakes, dict[str, Any], str], Any]] = {
    "iam.SimulatePrincipalPolicy": Fakes.simulate,
    "ram.GetResourceShareInvitations": Fakes.invitations,
    "route53resolver.ListResolverRuleAssociations": Fakes.rule_associations,
    "sagemaker.DescribeUserProfile": Fakes.user_profile,
}


# --------------------------------------------------------------------------- a small IAM evaluator


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _matches(patterns: Any, value: str, case: bool = False) -> bool:
    if case:
        return any(fnmatch.fnmatchcase(value, p) for p in _listed(patterns))
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in _listed(patterns))


def _condition(block: dict[str, Any] | None, context: dict[str, list[str]]) -> bool:
    for operator, tests in (block or {}).items():
        for key, wanted in tests.items():
            have = context.get(key.lower())
            wanted = [str(w) for w in _listed(wanted)]
            if operator in ("StringEquals", "StringLike", "Bool"):
                if have is None:
                    return False
                like = operator == "StringLike"
                if not any((_matches(wanted, h, case=True) if like else h in wanted) for h in have):
                    return False
            elif operator in ("StringNotEquals", "StringNotLike"):
                like = operator == "StringNotLike"
                if have is not None and any((_matches(wanted, h, case=True) if like else h in wanted) for h in have):
                    return False
            else:
                raise AssertionError(f"the test's IAM evaluator does not know the operator {operator}")
    return True


def decide(documents: list[Any], action: str, resource: str, context: dict[str, list[str]]) -> str:
    allowed = False
    for document in documents:
        doc = json.loads(unquote(document)) if isinstance(document, str) else document
        statements = doc.get("Statement", [])
        for st in [statements] if isinstance(statements, dict) else statements:
            if "Action" in st and not _matches(st["Action"], action):
                continue
            if "NotAction" in st and _matches(st["NotAction"], action):
                continue
            if "Resource" in st and not _matches(st["Resource"], resource, case=True):
                continue
            if "NotResource" in st and _matches(st["NotResource"], resource, case=True):
                continue
            if not _condition(st.get("Condition"), context):
                continue
            if st.get("Effect") == "Deny":
                return "explicitDeny"
            allowed = True
    return "allowed" if allowed else "implicitDeny"
