"""Value types of the stack config: CIDRs, addresses, account ids and the names AWS and Pulumi accept."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from contracts import names


def network(value: Any) -> ipaddress.IPv4Network:
    """An IPv4 CIDR block without host bits; the error suggests the block that was meant."""
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str) or "/" not in value:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.0.0.0/16")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ipaddress.AddressValueError:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.0.0.0/16") from None
    except ipaddress.NetmaskValueError:
        raise ValueError(f"{value!r} has an invalid prefix length") from None
    except ValueError:
        fixed = ipaddress.IPv4Network(value, strict=False)
        raise ValueError(f"{value!r} has host bits set; did you mean {fixed}?") from None


def _address(value: Any) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None


def _account_id(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("an AWS account id is 12 digits, as a quoted string")
    if isinstance(value, (int, float)):
        # YAML reads an unquoted id as a number: leading zeros are lost, and 0-7 digits after a
        # leading zero make it octal (012345670123 -> 1402433619). Never guess which it was.
        raise ValueError(
            f"{value} was read as a number, not an account id: quote it in the stack file "
            '(accountId: "123456789012"), so YAML keeps every digit'
        )
    if not isinstance(value, str) or not re.fullmatch(names.ACCOUNT_ID, value):
        raise ValueError(f"{value!r} is not an AWS account id (12 digits)")
    return value


def pattern(regex: str, what: str) -> AfterValidator:
    """A validator: the whole value must match `regex`; the error names `what` was expected."""
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {what} (pattern {regex})")
        return value

    return AfterValidator(check)


Network = Annotated[ipaddress.IPv4Network, BeforeValidator(network)]
Address = Annotated[ipaddress.IPv4Address, BeforeValidator(_address)]
AccountId = Annotated[str, BeforeValidator(_account_id)]
Region = Annotated[str, pattern(names.REGION, "AWS region")]
# Used in resource names, table items and tags.
LobName = Annotated[str, pattern(names.LOB_NAME, "LOB name")]
# SageMaker's pattern for domain and user profile names.
SageMakerName = Annotated[str, pattern(names.SAGEMAKER_NAME, "SageMaker domain or profile name")]
StackName = Annotated[str, pattern(r"[A-Za-z0-9_.-]+", "Pulumi stack name")]
QualifiedStackName = Annotated[
    str, pattern(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", "org/project/stack name")
]
RoleArn = Annotated[str, pattern(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", "IAM role ARN")]
PolicyArn = Annotated[str, pattern(r"arn:aws[a-z-]*:iam::\d{12}:policy/[\w+=,.@/-]+", "IAM managed policy ARN")]
RoleName = Annotated[str, pattern(names.IAM_ROLE_NAME, "IAM role name")]
OrganizationArn = Annotated[
    str, pattern(r"arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}", "organization ARN")
]
AvailabilityZone = Annotated[str, pattern(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "availability zone name")]
InstanceType = Annotated[str, pattern(r"[a-z][a-z0-9-]*\.[a-z0-9]+", "EC2 instance type")]
