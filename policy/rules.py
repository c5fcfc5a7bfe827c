"""The project's security promises as checks: pure functions over resource properties.

Each rule is a `Rule` with a resource check `(resource_type, props) -> [message]` and/or a
stack check `(resources) -> [(resource, message)]` for promises that span resources (a
function and its log group, an endpoint and its security group's rules, a RAM share and its
principals). Props use the engine's camelCase keys, as `pulumi preview --policy-pack` hands
them to a policy and as the offline plan records them. Only the standard library is used: the
offline plan (`policy/runner.py`) and the real pack (`policy/pack.py`, `policy/__main__.py`)
call the same functions.

Props may be plain dicts and lists or the policy SDK's read-only proxies, so the helpers test
for `Mapping`/`Sequence`, never `dict`/`list`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

MANDATORY = "mandatory"
ADVISORY = "advisory"

# --------------------------------------------------------------------------- resource types

REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
METHOD = "aws:apigateway/method:Method"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TABLE = "aws:dynamodb/table:Table"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
VPC_ENDPOINT_POLICY = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
DOMAIN = "aws:sagemaker/domain:Domain"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
USER_POOL = "aws:cognito/userPool:UserPool"
USER_POOL_CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
RAM_SHARE = "aws:ram/resourceShare:ResourceShare"
RAM_PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation"
RAM_RESOURCE = "aws:ram/resourceAssociation:ResourceAssociation"
TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"
# Attachments of (AWS-managed) policies by ARN.
POLICY_ATTACHMENTS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    ROLE: "managedPolicyArns",
}

# Tags the infrastructure sets for the pack (components/access_proxy.py, components/onprem.py).
FUNCTION_TAG = "studio-access:function"
PRESIGNED_URL_FUNCTION = "presigned-url"
PURPOSE_TAG = "studio-access:purpose"
BASTION_SSH = "onprem-bastion-ssh"

MIN_PYTHON_MINOR = 12
MIN_PASSWORD_LENGTH = 12
PRESIGN_ACTION = "sagemaker:CreatePresignedDomainUrl"
ASSUME_ROLE_ACTION = "sts:AssumeRole"
INVOKE_ACTION = "execute-api:Invoke"


# --------------------------------------------------------------------------- rule shapes


@dataclass(frozen=True)
class Resource:
    """One resource of a stack, for checks that look at several resources at once."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    id: Optional[str] = None
    dependencies: tuple[str, ...] = ()
    # property -> URNs its value came from (the engine sends these to stack policies)
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


ResourceCheck = Callable[[str, Mapping[str, Any]], list[str]]
StackCheck = Callable[[Sequence[Resource]], list[tuple[Resource, str]]]


@dataclass(frozen=True)
class Rule:
    name: str  # the policy's name in the pack
    issue: int  # the numbered promise it encodes (README table)
    enforcement: str
    description: str
    guards: str  # what a breach would allow (README table)
    resource_check: Optional[ResourceCheck] = None
    stack_check: Optional[StackCheck] = None


# --------------------------------------------------------------------------- small helpers


def _get(props: Any, *path: Any) -> Any:
    """props[path[0]][path[1]]... or None when any step is missing."""
    value = props
    for key in path:
        if isinstance(key, int):
            if not _is_list(value) or not -len(value) <= key < len(value):
                return None
        elif not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _strings(value: Any) -> list[str]:
    """A string or a list of strings (IAM's two forms) as a list."""
    if isinstance(value, str):
        return [value]
    if _is_list(value):
        return [v for v in value if isinstance(v, str)]
    return []


def _mappings(value: Any) -> list[Mapping]:
    if isinstance(value, Mapping):
        return [value]
    if _is_list(value):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _tags(props: Mapping) -> Mapping:
    tags = _get(props, "tags")
    if not isinstance(tags, Mapping):
        tags = _get(props, "tagsAll")
    return tags if isinstance(tags, Mapping) else {}


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _wildcard_match(pattern: str, value: str) -> bool:
    """IAM's matching: `*` any run, `?` one character, case-insensitive (actions)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def _has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


# --------------------------------------------------------------------------- policy documents


@dataclass(frozen=True)
class Document:
    where: str  # which property held it, e.g. "policy", "inlinePolicies[0].policy"
    raw: Any
    trust: bool = False

    def parse(self) -> tuple[Optional[Mapping], Optional[str]]:
        raw = self.raw
        if isinstance(raw, str):
            if not raw.strip():
                return None, None
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                return None, f"{self.where} is not valid JSON ({exc})"
        if raw is None:
            return None, None
        if not isinstance(raw, Mapping):
            return None, f"{self.where} is not a policy document (a JSON object)"
        return raw, None

    def statements(self) -> list[tuple[str, Mapping]]:
        doc, _ = self.parse()
        if doc is None:
            return []
        found = []
        for index, statement in enumerate(_mappings(doc.get("Statement"))):
            sid = statement.get("Sid")
            label = f"{self.where} statement {index}" + (f" ({sid})" if isinstance(sid, str) and sid else "")
            found.append((label, statement))
        return found


_DOCUMENT_PROPS = {
    ROLE_POLICY: "policy",
    MANAGED_POLICY: "policy",
    USER_POLICY: "policy",
    GROUP_POLICY: "policy",
    BUCKET_POLICY: "policy",
    VPC_ENDPOINT: "policy",
    VPC_ENDPOINT_POLICY: "policy",
    REST_API: "policy",
    REST_API_POLICY: "policy",
}
# Documents that give an identity its permissions (as opposed to resource policies).
_IDENTITY_TYPES = {ROLE_POLICY, MANAGED_POLICY, USER_POLICY, GROUP_POLICY, ROLE}


def documents(resource_type: str, props: Mapping) -> list[Document]:
    """Every IAM policy document a resource carries, trust policies included."""
    found = []
    if resource_type in _DOCUMENT_PROPS:
        key = _DOCUMENT_PROPS[resource_type]
        if _get(props, key) is not None:
            found.append(Document(key, props[key]))
    if resource_type == ROLE:
        for index, inline in enumerate(_mappings(_get(props, "inlinePolicies"))):
            if inline.get("policy") is not None:
                found.append(Document(f"inlinePolicies[{index}].policy", inline["policy"]))
        if _get(props, "assumeRolePolicy") is not None:
            found.append(Document("assumeRolePolicy", props["assumeRolePolicy"], trust=True))
    return found


def _identity_documents(resource_type: str, props: Mapping) -> list[Document]:
    if resource_type not in _IDENTITY_TYPES:
        return []
    return [d for d in documents(resource_type, props) if not d.trust]


def _effect(statement: Mapping) -> str:
    effect = statement.get("Effect")
    return effect.lower() if isinstance(effect, str) else ""


def _covers_action(statement: Mapping, action: str) -> bool:
    """Does the statement's Action (or NotAction) apply to `action`?"""
    if "NotAction" in statement:
        return not any(_wildcard_match(p, action) for p in _strings(statement["NotAction"]))
    return any(_wildcard_match(p, action) for p in _strings(statement.get("Action")))


def _condition_values(statement: Mapping, key: str) -> list[tuple[str, list[str]]]:
    """(operator, values) of every condition on `key` (case-insensitive, as IAM treats keys)."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    found = []
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            continue
        for k, v in block.items():
            if isinstance(k, str) and k.lower() == key.lower():
                found.append((str(operator), _strings(v)))
    return found


_EQUALS = {"stringequals", "stringequalsignorecase", "stringlike", "foranyvalue:stringequals", "foranyvalue:stringlike"}
_NOT_EQUALS = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike"}


def _endpoint_condition_problem(statement: Mapping, key: str, operators: set[str]) -> Optional[str]:
    """None if the statement is bound to named endpoints by `key`; else what is missing.

    A statement's conditions all apply, so one proper binding is enough; `...IfExists` is not
    one (a request without the key passes), nor is a wildcard value."""
    conditions = _condition_values(statement, key)
    if not conditions:
        return f"has no {key} condition"
    problems = []
    for operator, values in conditions:
        op = operator.lower()
        wild = [v for v in values if _has_wildcard(v)]
        if op.endswith("ifexists"):
            problems.append(f"uses {operator} on {key}: a request without an endpoint passes")
        elif op not in operators:
            problems.append(f"has no {'/'.join(sorted(operators))} condition on {key}")
        elif not values:
            problems.append(f"names no endpoint in its {key} condition")
        elif wild:
            problems.append(f"matches any endpoint with {key} {wild[0]!r}")
        else:
            return None
    return problems[0]


def _resources_cover(deny: Mapping, allow: Mapping) -> bool:
    """Does the Deny statement apply to every resource the Allow statement grants?"""
    if "NotResource" in deny:
        return False
    patterns = _strings(deny.get("Resource"))
    granted = ["*"] if "NotResource" in allow else _strings(allow.get("Resource"))
    return bool(granted) and all(any(_wildcard_match(p, r) for p in patterns) for r in granted)


def _denied_outside_endpoints(
    doc_statements: list[tuple[str, Mapping]], action: str, key: str, allow: Mapping
) -> bool:
    """A Deny of `action`, on everything `allow` grants, unless the request comes through named endpoints."""
    return any(
        _effect(s) == "deny"
        and _covers_action(s, action)
        and _resources_cover(s, allow)
        and _endpoint_condition_problem(s, key, _NOT_EQUALS) is None
        for _, s in doc_statements
    )


# --------------------------------------------------------------------------- 1, 2: the REST API


def check_api_private(resource_type: str, props: Mapping) -> list[str]:
    """REST APIs are PRIVATE; their resource policy allows invoke only with aws:SourceVpce."""
    problems = []
    if resource_type == REST_API:
        types = _strings(_get(props, "endpointConfiguration", "types"))
        if types != ["PRIVATE"]:
            shown = ", ".join(types) or "unset (EDGE)"
            problems.append(f"endpointConfiguration.types is {shown}: the API is reachable from the internet; use PRIVATE")
    if resource_type not in (REST_API, REST_API_POLICY):
        return problems
    for doc in documents(resource_type, props):
        statements = doc.statements()
        for label, statement in statements:
            if _effect(statement) != "allow" or not _covers_action(statement, INVOKE_ACTION):
                continue
            problem = _endpoint_condition_problem(statement, "aws:SourceVpce", _EQUALS)
            if problem and not _denied_outside_endpoints(statements, INVOKE_ACTION, "aws:SourceVpce", statement):
                problems.append(f"{label} allows {INVOKE_ACTION} but {problem}: anyone who reaches the API may call it")
    return problems


def check_api_methods_and_stages(resource_type: str, props: Mapping) -> list[str]:
    """Every method has an authorizer; stages have access logs and X-Ray tracing; no full request logs."""
    problems = []
    if resource_type == METHOD:
        auth = _get(props, "authorization")
        method = f"{_get(props, 'httpMethod') or '?'} method"
        if not isinstance(auth, str) or auth.upper() == "NONE":
            problems.append(f"{method} has authorization {auth or 'unset'}: anyone who reaches the API calls it unauthenticated")
        elif auth.upper() in ("CUSTOM", "COGNITO_USER_POOLS") and not _get(props, "authorizerId"):
            problems.append(f"{method} has authorization {auth} without an authorizerId")
    elif resource_type == STAGE:
        stage = _get(props, "stageName") or "?"
        if not _get(props, "accessLogSettings", "destinationArn") or not _get(props, "accessLogSettings", "format"):
            problems.append(f"stage {stage} has no access logs (accessLogSettings.destinationArn and format): calls leave no trace")
        if _get(props, "xrayTracingEnabled") is not True:
            problems.append(f"stage {stage} has X-Ray tracing off (xrayTracingEnabled)")
    elif resource_type == METHOD_SETTINGS and _get(props, "settings", "dataTraceEnabled") is True:
        problems.append(
            f"settings.dataTraceEnabled logs full requests of {_get(props, 'methodPath') or '?'}: the logs would hold the callers' bearer tokens"
        )
    return problems


# --------------------------------------------------------------------------- 3, 4: functions


def check_lambda(resource_type: str, props: Mapping) -> list[str]:
    """Supported Python runtime (3.12+), active tracing; the presigned-URL function in a VPC."""
    if resource_type != FUNCTION:
        return []
    problems = []
    runtime = _get(props, "runtime")
    match = re.fullmatch(r"python3\.(\d+)", runtime) if isinstance(runtime, str) else None
    if not match or int(match.group(1)) < MIN_PYTHON_MINOR:
        problems.append(
            f"runtime is {runtime or 'unset (a container image)'}: use a supported Python runtime, python3.{MIN_PYTHON_MINOR} or newer"
        )
    if _get(props, "tracingConfig", "mode") != "Active":
        problems.append(f"tracingConfig.mode is {_get(props, 'tracingConfig', 'mode') or 'unset'}, not Active")
    if _tags(props).get(FUNCTION_TAG) == PRESIGNED_URL_FUNCTION:
        subnets = _strings(_get(props, "vpcConfig", "subnetIds"))
        groups = _strings(_get(props, "vpcConfig", "securityGroupIds"))
        if not subnets or not groups:
            problems.append(
                "the presigned-URL function is not in a VPC (vpcConfig.subnetIds and securityGroupIds): "
                "its STS and SageMaker calls would leave through the public endpoints"
            )
    return problems


def lambda_log_group(props: Mapping) -> Optional[str]:
    """The log group a function writes to: its logging config's, or Lambda's default."""
    group = _get(props, "loggingConfig", "logGroup")
    if isinstance(group, str) and group:
        return group
    name = _get(props, "name")
    return f"/aws/lambda/{name}" if isinstance(name, str) and name else None


def check_lambda_log_groups(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """Each function's log group is declared in the stack, with a retention period."""
    groups = {r.props.get("name"): r for r in resources if r.type == LOG_GROUP}
    found = []
    for fn in (r for r in resources if r.type == FUNCTION):
        name = lambda_log_group(fn.props)
        if name is None:
            found.append((fn, "neither loggingConfig.logGroup nor a name: cannot tell which log group it writes to"))
            continue
        group = groups.get(name)
        if group is None:
            found.append((fn, f"its log group {name} is not declared in this stack: Lambda creates it without retention"))
        elif not _retention(group.props):
            found.append((fn, f"its log group {name} has no retention period (retentionInDays)"))
    return found


_SECRET_WORDS = {
    "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD", "PWD", "PASSPHRASE",
    "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY",
}
_SECRET_LAST_WORDS = {"TOKEN", "TOKENS"}
_KEY_QUALIFIERS = {"API", "PRIVATE", "SECRET", "ACCESS", "SIGNING", "ENCRYPTION", "CLIENT", "MASTER", "AUTH", "HMAC"}
# A name ending like this says where a secret lives or how it is handled, not the secret itself.
_REFERENCE_SUFFIXES = {
    "ARN", "NAME", "ID", "IDS", "PARAMETER", "PARAM", "PATH", "FILE", "REF", "LENGTH",
    "TTL", "SECONDS", "MINUTES", "HOURS", "DAYS", "VERSION", "POLICY", "ISSUER", "USE", "TYPE",
}
_SECRET_VALUES = [
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a live API secret key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a URL with a password", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)),
]


def _words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    return [w.upper() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def secret_like_name(key: str) -> bool:
    words = _words(key)
    if not words or words[-1] in _REFERENCE_SUFFIXES:
        return False
    if any(w in _SECRET_WORDS for w in words) or words[-1] in _SECRET_LAST_WORDS:
        return True
    return len(words) >= 2 and words[-1] == "KEY" and words[-2] in _KEY_QUALIFIERS


def secret_like_value(value: str) -> Optional[str]:
    """What the value looks like, if it looks like a credential (never the value itself)."""
    for what, pattern in _SECRET_VALUES:
        if pattern.search(value):
            return what
    if (
        re.fullmatch(r"[A-Za-z0-9/+]{40}", value)
        and re.search(r"[A-Z]", value)
        and re.search(r"[a-z]", value)
        and re.search(r"[0-9]", value)
    ):
        return "an AWS secret access key"
    return None


def check_lambda_environment(resource_type: str, props: Mapping) -> list[str]:
    """No environment variable that looks like a secret, by name or by value."""
    if resource_type != FUNCTION:
        return []
    variables = _get(props, "environment", "variables")
    if not isinstance(variables, Mapping):
        return []
    problems = []
    for key in sorted(variables):
        value = variables[key]
        if secret_like_name(key):
            problems.append(
                f"environment variable {key} is named like a secret: anyone who can read the function's "
                "configuration reads it; keep secrets in Secrets Manager or SSM and pass their names"
            )
        elif isinstance(value, str) and (what := secret_like_value(value)):
            problems.append(f"the value of environment variable {key} looks like {what}: keep secrets out of the configuration")
    return problems


# --------------------------------------------------------------------------- 5: tables


def check_dynamodb(resource_type: str, props: Mapping) -> list[str]:
    if resource_type != TABLE:
        return []
    problems = []
    if _get(props, "pointInTimeRecovery", "enabled") is not True:
        problems.append("point-in-time recovery is off (pointInTimeRecovery.enabled): a bad write cannot be undone")
    if _get(props, "serverSideEncryption", "enabled") is not True:
        problems.append("server-side encryption with a KMS key is off (serverSideEncryption.enabled)")
    return problems


def check_dynamodb_deletion_protection(resource_type: str, props: Mapping) -> list[str]:
    if resource_type == TABLE and _get(props, "deletionProtectionEnabled") is not True:
        return ["deletion protection is off (deletionProtectionEnabled): a replacement or destroy deletes the mappings"]
    return []


# --------------------------------------------------------------------------- 6-9: IAM

_FULL_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$")


def _wild_action(action: str) -> Optional[str]:
    if action.strip() == "*":
        return "every action"
    service, sep, name = action.partition(":")
    if not sep:
        return "every action" if _has_wildcard(action) else None
    if _has_wildcard(service):
        return "actions of every service"
    if name and set(name) <= {"*"}:
        return f"every {service} action"
    return None


def check_iam_wildcard_actions(resource_type: str, props: Mapping) -> list[str]:
    """No Allow of `*`, of a whole service (`sagemaker:*`), or of everything but a few (NotAction)."""
    problems = []
    for doc in documents(resource_type, props):
        _, error = doc.parse()
        if error:
            problems.append(error)
            continue
        for label, statement in doc.statements():
            if _effect(statement) != "allow":
                continue
            if "NotAction" in statement:
                problems.append(f"{label} allows every action except {_strings(statement['NotAction'])} (NotAction); name the actions")
            for action in _strings(statement.get("Action")):
                what = _wild_action(action)
                if what:
                    problems.append(f"{label} allows {action!r}, {what}; name the actions")
    key = POLICY_ATTACHMENTS.get(resource_type)
    if key:
        for arn in _strings(_get(props, key)):
            if _FULL_ACCESS.match(arn):
                problems.append(f"attaches {arn}, a managed policy that allows a service-wide wildcard")
    return problems


_SCOPED_ACTIONS = (ASSUME_ROLE_ACTION, PRESIGN_ACTION)


def _wide_resource(resource: str) -> Optional[str]:
    if resource.strip() == "*":
        return "every resource"
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return "an unscoped resource" if _has_wildcard(resource) else None
    account, rest = parts[4], parts[5]
    if account and _has_wildcard(account):
        return "every account"
    kind, sep, tail = rest.partition("/")
    if not sep:
        kind, sep, tail = rest.partition(":")
    if _has_wildcard(kind) or (sep and tail and set(tail) <= {"*", "?", "/"}):
        return f"every {kind if not _has_wildcard(kind) else 'resource'} of the account"
    return None


def check_iam_scoped_sensitive_actions(resource_type: str, props: Mapping) -> list[str]:
    """sts:AssumeRole and sagemaker:CreatePresignedDomainUrl only on named resources."""
    problems = []
    for doc in documents(resource_type, props):
        if doc.trust:
            continue
        for label, statement in doc.statements():
            if _effect(statement) != "allow":
                continue
            for action in _SCOPED_ACTIONS:
                if not _covers_action(statement, action):
                    continue
                if "NotResource" in statement:
                    problems.append(f"{label} allows {action} on everything but {_strings(statement['NotResource'])} (NotResource)")
                for resource in _strings(statement.get("Resource")):
                    wide = _wide_resource(resource)
                    if wide:
                        problems.append(f"{label} allows {action} on {resource!r} ({wide}); name the roles or profiles")
    return problems


_ACCOUNT = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$")


def check_iam_trust(resource_type: str, props: Mapping) -> list[str]:
    """Trust policies name their principals: no `*`, no wildcards, no NotPrincipal."""
    problems = []
    for doc in documents(resource_type, props):
        if not doc.trust:
            continue
        for label, statement in doc.statements():
            if _effect(statement) != "allow":
                continue
            if "NotPrincipal" in statement:
                problems.append(f"{label} trusts everyone but {statement['NotPrincipal']} (NotPrincipal)")
                continue
            principal = statement.get("Principal")
            if principal is None:
                problems.append(f"{label} names no Principal")
                continue
            if isinstance(principal, str):
                problems.append(f"{label} trusts Principal {principal!r}: every AWS account may assume the role")
                continue
            if not isinstance(principal, Mapping):
                problems.append(f"{label} has a Principal that is neither '*' nor a map")
                continue
            for kind, values in principal.items():
                for value in _strings(values):
                    if _has_wildcard(value):
                        problems.append(f"{label} trusts {kind} {value!r}: a wildcard, not a named principal")
                    elif kind == "AWS" and not (_ACCOUNT.match(value) or _IAM_ARN.match(value)):
                        problems.append(f"{label} trusts AWS {value!r}, which is neither an account id nor an IAM ARN")
    return problems


def check_iam_presign_source_vpce(resource_type: str, props: Mapping) -> list[str]:
    """A policy that allows CreatePresignedDomainUrl binds it to endpoints with aws:sourceVpce."""
    problems = []
    for doc in _identity_documents(resource_type, props):
        statements = doc.statements()
        for label, statement in statements:
            if _effect(statement) != "allow" or not _covers_action(statement, PRESIGN_ACTION):
                continue
            problem = _endpoint_condition_problem(statement, "aws:sourceVpce", _EQUALS)
            if problem and not _denied_outside_endpoints(statements, PRESIGN_ACTION, "aws:sourceVpce", statement):
                problems.append(
                    f"{label} allows {PRESIGN_ACTION} but {problem}: its URLs would open from anywhere, not only through the central Studio endpoint"
                )
    return problems


# --------------------------------------------------------------------------- 10: domains


def check_domain_vpc_only(resource_type: str, props: Mapping) -> list[str]:
    if resource_type != DOMAIN:
        return []
    mode = _get(props, "appNetworkAccessType")
    if mode != "VpcOnly":
        return [f"appNetworkAccessType is {mode or 'unset (PublicInternetOnly)'}: Studio apps reach the internet directly; use VpcOnly"]
    return []


# --------------------------------------------------------------------------- 11, 12: security groups

_INTERNAL_V4 = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]
_INTERNAL_V6 = [ipaddress.ip_network(n) for n in ("fc00::/7", "fe80::/10")]
_WORLD_PREFIX = {4: 8, 6: 16}  # shorter than this is (a large part of) the internet


@dataclass(frozen=True)
class _Ingress:
    where: str
    protocol: str
    from_port: Optional[float]
    to_port: Optional[float]
    cidrs: tuple[str, ...]
    tags: Mapping


def _ingress(resource_type: str, props: Mapping) -> list[_Ingress]:
    """The ingress permissions a resource grants, whatever resource type carries them."""
    if resource_type == SECURITY_GROUP:
        return [
            _Ingress(
                f"ingress[{i}]",
                str(block.get("protocol", "")),
                _number(block.get("fromPort")),
                _number(block.get("toPort")),
                tuple(_strings(block.get("cidrBlocks")) + _strings(block.get("ipv6CidrBlocks"))),
                _tags(props),
            )
            for i, block in enumerate(_mappings(_get(props, "ingress")))
        ]
    if resource_type == SECURITY_GROUP_RULE and _get(props, "type") == "ingress":
        cidrs = _strings(_get(props, "cidrBlocks")) + _strings(_get(props, "ipv6CidrBlocks"))
        return [_Ingress("rule", str(_get(props, "protocol") or ""), _number(_get(props, "fromPort")), _number(_get(props, "toPort")), tuple(cidrs), {})]
    if resource_type == INGRESS_RULE:
        cidrs = _strings(_get(props, "cidrIpv4")) + _strings(_get(props, "cidrIpv6"))
        return [
            _Ingress("rule", str(_get(props, "ipProtocol") or ""), _number(_get(props, "fromPort")), _number(_get(props, "toPort")), tuple(cidrs), _tags(props))
        ]
    return []


def _all_ports(rule: _Ingress) -> bool:
    protocol = rule.protocol.lower()
    if protocol in ("-1", "all"):
        return True
    if protocol in ("tcp", "udp", "6", "17"):
        low = rule.from_port if rule.from_port is not None else 0
        high = rule.to_port if rule.to_port is not None else 65535
        return low <= 1 and high >= 65535
    return False


def _port(value: Optional[float]) -> str:
    return "?" if value is None else str(int(value))


def _describe(rule: _Ingress) -> str:
    if rule.protocol.lower() in ("-1", "all"):
        return "all traffic"
    if rule.from_port == rule.to_port:
        return f"{rule.protocol} {_port(rule.from_port)}"
    return f"{rule.protocol} {_port(rule.from_port)}-{_port(rule.to_port)}"


def _is_bastion(rule: _Ingress) -> bool:
    return rule.tags.get(PURPOSE_TAG) == BASTION_SSH


def check_sg_internet_ingress(resource_type: str, props: Mapping) -> list[str]:
    """No ingress from 0.0.0.0/0, ::/0 (or a /1../7); the bastion's tag only on SSH."""
    problems = []
    for rule in _ingress(resource_type, props):
        prefix = "" if rule.where == "rule" else f"{rule.where}: "
        for cidr in rule.cidrs:
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                problems.append(f"{prefix}ingress source {cidr!r} is not a CIDR block")
                continue
            if net.prefixlen == 0:
                problems.append(f"{prefix}ingress from {cidr} ({_describe(rule)}): the whole internet may connect")
            elif net.prefixlen < _WORLD_PREFIX[net.version]:
                problems.append(f"{prefix}ingress from {cidr} ({_describe(rule)}): a large part of the internet may connect")
        if _is_bastion(rule) and not (rule.protocol.lower() in ("tcp", "6") and rule.from_port == 22 and rule.to_port == 22):
            problems.append(
                f"{prefix}tagged {PURPOSE_TAG}={BASTION_SSH} but admits {_describe(rule)}: the tag is only for the bastion's SSH (TCP 22)"
            )
    return problems


def _internal(net: Any) -> bool:
    return any(net.subnet_of(r) for r in (_INTERNAL_V4 if net.version == 4 else _INTERNAL_V6))


def check_sg_public_ingress(resource_type: str, props: Mapping) -> list[str]:
    """Ingress from a public range only on the on-premises simulator's tagged bastion rule."""
    problems = []
    for rule in _ingress(resource_type, props):
        if _is_bastion(rule):
            continue
        prefix = "" if rule.where == "rule" else f"{rule.where}: "
        for cidr in rule.cidrs:
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                continue  # reported by the mandatory rule
            if net.prefixlen >= _WORLD_PREFIX[net.version] and not _internal(net):
                problems.append(
                    f"{prefix}ingress from {cidr} ({_describe(rule)}), a public range: only the on-premises "
                    f"simulator's bastion rule (tagged {PURPOSE_TAG}={BASTION_SSH}) is reached from outside"
                )
    return problems


def check_interface_endpoint_groups(resource_type: str, props: Mapping) -> list[str]:
    if resource_type != VPC_ENDPOINT or _get(props, "vpcEndpointType") != "Interface":
        return []
    if not _strings(_get(props, "securityGroupIds")):
        return ["interface endpoint without securityGroupIds: it gets the VPC's default security group"]
    return []


def _index(resources: Sequence[Resource]) -> dict[str, Resource]:
    """Resources by URN, id and ARN: how other resources' inputs and dependencies name them."""
    index: dict[str, Resource] = {}
    for r in resources:
        for key in (r.urn, r.id, r.props.get("id"), r.props.get("arn")):
            if isinstance(key, str) and key:
                index.setdefault(key, r)
    return index


def _referenced(resource: Resource, index: dict[str, Resource], prop: str, type_: str) -> list[Resource]:
    """Resources of `type_` that the resource's property `prop` names: by id or ARN, else by that
    property's dependencies, else by any dependency. Most precise first: an ingress rule also
    depends on the group it admits traffic from."""
    values = _strings(resource.props.get(prop))
    for keys in (values, resource.property_dependencies.get(prop, ()), resource.dependencies):
        found = {t.urn: t for t in (index.get(k) for k in keys) if t is not None and t.type == type_}
        if found:
            return list(found.values())
    return []


def check_endpoint_groups_not_all_ports(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """No ingress rule of an interface endpoint's security group opens every port."""
    index = _index(resources)
    endpoint_groups: dict[str, list[str]] = {}  # group URN -> endpoint names
    for ep in resources:
        if ep.type != VPC_ENDPOINT or ep.props.get("vpcEndpointType") != "Interface":
            continue
        for group in _referenced(ep, index, "securityGroupIds", SECURITY_GROUP):
            endpoint_groups.setdefault(group.urn, []).append(ep.name)
    found = []
    for r in resources:
        if r.type == SECURITY_GROUP:
            groups = [r] if r.urn in endpoint_groups else []
        elif r.type in (SECURITY_GROUP_RULE, INGRESS_RULE):
            groups = [g for g in _referenced(r, index, "securityGroupId", SECURITY_GROUP) if g.urn in endpoint_groups]
        else:
            continue
        for group in groups:
            for rule in _ingress(r.type, r.props):
                if _all_ports(rule):
                    where = "" if rule.where == "rule" else f"{rule.where} "
                    found.append(
                        (r, f"{where}opens all ports ({_describe(rule)}) on {group.name}, the security group of interface "
                            f"endpoint(s) {', '.join(sorted(endpoint_groups[group.urn]))}; an endpoint needs only 443")
                    )
    return found


# --------------------------------------------------------------------------- 13: Cognito


def check_cognito(resource_type: str, props: Mapping) -> list[str]:
    problems = []
    if resource_type == USER_POOL:
        length = _number(_get(props, "passwordPolicy", "minimumLength"))
        if length is None or length < MIN_PASSWORD_LENGTH:
            shown = int(length) if length is not None else "unset (Cognito's default 8)"
            problems.append(f"passwordPolicy.minimumLength is {shown}: use {MIN_PASSWORD_LENGTH} or more")
    elif resource_type == USER_POOL_CLIENT:
        flows = [f.lower() for f in _strings(_get(props, "allowedOauthFlows"))]
        if "implicit" in flows:
            problems.append("allowedOauthFlows includes implicit: tokens travel in URL fragments (browser history, referrers); use code")
    return problems


def check_cognito_mfa(resource_type: str, props: Mapping) -> list[str]:
    if resource_type != USER_POOL:
        return []
    mfa = _get(props, "mfaConfiguration")
    if mfa not in ("ON", "OPTIONAL"):
        return [f"mfaConfiguration is {mfa or 'unset (OFF)'}: a stolen password alone signs in"]
    return []


# --------------------------------------------------------------------------- 14: log groups


def _retention(props: Mapping) -> bool:
    days = _number(props.get("retentionInDays"))
    return days is not None and days > 0


def check_log_group_retention(resource_type: str, props: Mapping) -> list[str]:
    if resource_type == LOG_GROUP and not _retention(props):
        return ["retentionInDays is unset: logs are kept (and paid for) forever"]
    return []


# --------------------------------------------------------------------------- 15, 16: RAM and the TGW

_ORGANIZATION = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:(organization|ou)/")


def _share_principals(resources: Sequence[Resource], index: dict[str, Resource]) -> dict[str, list[tuple[Resource, str]]]:
    """Share URN -> (principal association, principal)."""
    found: dict[str, list[tuple[Resource, str]]] = {}
    for assoc in resources:
        if assoc.type != RAM_PRINCIPAL:
            continue
        principal = assoc.props.get("principal")
        for share in _referenced(assoc, index, "resourceShareArn", RAM_SHARE):
            found.setdefault(share.urn, []).append((assoc, principal if isinstance(principal, str) else ""))
    return found


def check_ram_organization_shares(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """A share with an organization (or OU) does not also allow principals outside it."""
    index = _index(resources)
    principals = _share_principals(resources, index)
    found = []
    for share in resources:
        if share.type != RAM_SHARE or share.props.get("allowExternalPrincipals") is not True:
            continue
        orgs = [p for _, p in principals.get(share.urn, []) if _ORGANIZATION.match(p)]
        if orgs:
            found.append(
                (share, f"shares with {orgs[0]} and allows external principals: accounts outside the organization can be added to it")
            )
    return found


def check_tgw_auto_accept(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """Auto-accepting a TGW shares only with named accounts (not an organization, not unshared)."""
    index = _index(resources)
    principals = _share_principals(resources, index)
    shares_of: dict[str, list[Resource]] = {}
    for assoc in resources:
        if assoc.type != RAM_RESOURCE:
            continue
        arn = assoc.props.get("resourceArn")
        targets = _referenced(assoc, index, "resourceArn", TRANSIT_GATEWAY)
        if isinstance(arn, str):  # the ARN ends with the TGW's id
            targets += [t for t in resources if t.type == TRANSIT_GATEWAY and t.id and arn.endswith("/" + t.id)]
        for tgw in targets:
            shares_of.setdefault(tgw.urn, []).extend(_referenced(assoc, index, "resourceShareArn", RAM_SHARE))
    found = []
    for tgw in resources:
        if tgw.type != TRANSIT_GATEWAY or tgw.props.get("autoAcceptSharedAttachments") != "enable":
            continue
        shares = {s.urn: s for s in shares_of.get(tgw.urn, [])}
        named = [p for urn in shares for _, p in principals.get(urn, [])]
        if not named:
            found.append((tgw, "auto-accepts shared attachments but is shared with no principal in this stack: whoever it is shared with later attaches unreviewed"))
            continue
        unnamed = [p for p in named if not (_ACCOUNT.match(p) or _IAM_ARN.match(p))]
        if unnamed:
            found.append((tgw, f"auto-accepts shared attachments while shared with {unnamed[0]}: every account in it attaches unreviewed"))
    return found


# --------------------------------------------------------------------------- the pack

RULES: tuple[Rule, ...] = (
    Rule("api-private-source-vpce", 1, MANDATORY,
         "REST APIs are PRIVATE and their resource policy allows execute-api:Invoke only with aws:SourceVpce.",
         "an API reachable from the internet, or from any VPC endpoint of any account",
         resource_check=check_api_private),
    Rule("api-authorizers-logs-tracing", 2, MANDATORY,
         "Every API method has an authorizer (no NONE); stages have access logs and X-Ray tracing; execution logs never hold full requests.",
         "an unauthenticated route to the presigned-URL function; calls that leave no trace; bearer tokens in logs",
         resource_check=check_api_methods_and_stages),
    Rule("lambda-runtime-tracing-vpc", 3, MANDATORY,
         "Lambda functions run Python 3.12 or newer with active tracing; the presigned-URL function runs in a VPC.",
         "runtimes without security fixes; untraceable calls; STS and SageMaker calls over public endpoints",
         resource_check=check_lambda),
    Rule("lambda-log-group-retention", 3, MANDATORY,
         "Each Lambda function's log group is declared in the stack with a retention period.",
         "log groups Lambda creates on its own, kept forever and outside the stack",
         stack_check=check_lambda_log_groups),
    Rule("lambda-env-no-secrets", 4, MANDATORY,
         "No Lambda environment variable looks like a secret, by name or by value.",
         "credentials readable by anyone with lambda:GetFunctionConfiguration, and in the state file",
         resource_check=check_lambda_environment),
    Rule("dynamodb-pitr-encryption", 5, MANDATORY,
         "DynamoDB tables have point-in-time recovery and server-side encryption.",
         "lost or corrupted user/LOB mappings with no way back; data at rest under an AWS-owned key only",
         resource_check=check_dynamodb),
    Rule("dynamodb-deletion-protection", 5, ADVISORY,
         "DynamoDB tables have deletion protection.",
         "a replacement or destroy that deletes the mappings",
         resource_check=check_dynamodb_deletion_protection),
    Rule("iam-no-wildcard-actions", 6, MANDATORY,
         "No IAM policy statement allows `*`, a service-wide wildcard (`sagemaker:*`) or NotAction; no *FullAccess/Administrator managed policy.",
         "permissions nobody reviewed, including actions AWS adds later",
         resource_check=check_iam_wildcard_actions),
    Rule("iam-sensitive-actions-scoped", 7, MANDATORY,
         "sts:AssumeRole and sagemaker:CreatePresignedDomainUrl are never allowed on `*` (or every account/role/profile).",
         "the function assuming any role, or presigning any user's Studio, in any account",
         resource_check=check_iam_scoped_sensitive_actions),
    Rule("iam-trust-specific-principals", 8, MANDATORY,
         "Role trust policies name specific principals, services or accounts: no `*`, no wildcard, no NotPrincipal.",
         "a role that anyone in any AWS account can assume",
         resource_check=check_iam_trust),
    Rule("iam-presign-source-vpce", 9, MANDATORY,
         "A policy that allows sagemaker:CreatePresignedDomainUrl binds it to named endpoints with aws:sourceVpce.",
         "presigned Studio URLs that open from anywhere, not only through the central Studio endpoint",
         resource_check=check_iam_presign_source_vpce),
    Rule("sagemaker-domain-vpc-only", 10, MANDATORY,
         "SageMaker domains use AppNetworkAccessType VpcOnly.",
         "Studio apps with direct internet access, outside the LOB VPC's controls",
         resource_check=check_domain_vpc_only),
    Rule("sg-no-internet-ingress", 11, MANDATORY,
         "No security group ingress from 0.0.0.0/0 or ::/0 (or any range shorter than /8, /16 for IPv6); the bastion tag only on TCP 22.",
         "endpoints, resolvers or hosts open to the internet",
         resource_check=check_sg_internet_ingress),
    Rule("sg-public-ingress-bastion-only", 11, ADVISORY,
         "Ingress from a public (non-RFC 1918) range only on the on-premises simulator's tagged bastion SSH rule.",
         "a public address admitted where only internal ranges belong (advisory: a corporate network may use public space)",
         resource_check=check_sg_public_ingress),
    Rule("endpoint-has-security-groups", 12, MANDATORY,
         "Interface endpoints have their own security groups.",
         "an endpoint behind the VPC's default security group",
         resource_check=check_interface_endpoint_groups),
    Rule("endpoint-sg-not-all-ports", 12, MANDATORY,
         "No ingress rule of an interface endpoint's security group opens every port.",
         "an endpoint group that admits all traffic instead of HTTPS",
         stack_check=check_endpoint_groups_not_all_ports),
    Rule("cognito-password-no-implicit", 13, MANDATORY,
         "Cognito pools require passwords of 12 or more characters; app clients do not allow the implicit OAuth flow.",
         "guessable passwords; tokens leaked through URL fragments",
         resource_check=check_cognito),
    Rule("cognito-mfa", 13, ADVISORY,
         "Cognito pools offer MFA (ON or OPTIONAL).",
         "accounts that a stolen password alone opens",
         resource_check=check_cognito_mfa),
    Rule("log-group-retention", 14, MANDATORY,
         "CloudWatch log groups have a retention period.",
         "logs kept (and paid for) forever",
         resource_check=check_log_group_retention),
    Rule("ram-org-share-internal", 15, MANDATORY,
         "A RAM share with an organization or OU does not allow external principals.",
         "the TGW and resolver rules shared with accounts outside the organization",
         stack_check=check_ram_organization_shares),
    Rule("tgw-auto-accept-named-principals", 16, ADVISORY,
         "A Transit Gateway auto-accepts shared attachments only when shared with named accounts.",
         "any account the TGW is shared with attaching its VPC without review",
         stack_check=check_tgw_auto_accept),
)

if len({r.name for r in RULES}) != len(RULES):
    raise RuntimeError("policy names must be unique")
if any((r.resource_check is None) == (r.stack_check is None) for r in RULES):
    raise RuntimeError("each rule has exactly one check: a resource check or a stack check")
