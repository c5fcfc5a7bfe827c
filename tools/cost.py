"""The fixed monthly cost of a planned stack while idle, from the resources in its plan.

Driven by resource types, not by a list of the project's resources: each type a rule knows is
counted from its planned inputs (an `aws:route53/resolverEndpoint` has one ENI per entry of
`ipAddresses`, an `Interface` VPC endpoint one AZ per subnet id, an instance is priced by its
instance type, ...), and the count is multiplied by a price read from the region's price file,
`tools/prices/<region>.json` (its sources, the date it was read, and per item the unit, the hourly
or monthly price and a note). A month is 730 hours.

Every custom AWS resource is one of:
- priced: a fixed cost while idle (items with a quantity, a price and the basis of the figure);
- usage-based: billed only for use (requests, GB, monthly active users): listed, no figure;
- free: no charge of its own (VPCs, subnets, roles, records, ...): `monthlyUsd` 0;
- not counted: a type no rule knows, or an item missing from the price file: named in the
  output so that a cost is never left out silently.
A region without a price file is reported ("no price file for eu-west-1: cost not estimated"),
never guessed from another region.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from components.paths import PROJECT_DIR

HOURS_PER_MONTH = 730
PRICES_DIR = Path(__file__).resolve().parent / "prices"
HOSTED_ZONES_AT_FIRST_PRICE = 25  # per account; the plan counts them per stack


class PriceFileError(Exception):
    """A price file that does not have the shape this module reads."""


class Resource(Protocol):
    """What the estimator reads of a planned resource (tools.harness.Registration has it)."""

    @property
    def type(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def custom(self) -> bool: ...
    @property
    def inputs(self) -> dict[str, Any]: ...


# --------------------------------------------------------------------------- the price file


@dataclass(frozen=True)
class Price:
    item: str
    label: str
    unit: str
    hourly: float | None
    monthly: float | None
    note: str
    approximately: bool

    @property
    def per_month(self) -> float:
        """The price of one unit for a month: the hourly price times 730 hours, or the monthly price."""
        return self.hourly * HOURS_PER_MONTH if self.hourly is not None else self.monthly or 0.0


@dataclass(frozen=True)
class PriceBook:
    region: str
    read: str
    path: Path
    sources: dict[str, str]
    items: dict[str, Price]

    @property
    def shown_path(self) -> str:
        return (
            self.path.relative_to(PROJECT_DIR).as_posix() if self.path.is_relative_to(PROJECT_DIR) else str(self.path)
        )


def price_file(region: str, prices_dir: Path = PRICES_DIR) -> Path:
    return prices_dir / f"{region}.json"


def load_prices(region: str, prices_dir: Path = PRICES_DIR) -> PriceBook | None:
    """The region's price file, or None when there is none."""
    path = price_file(region, prices_dir)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
        if doc["region"] != region:
            raise PriceFileError(f"{path}: region is {doc['region']!r}, the file name says {region!r}")
        items = {}
        for key, entry in doc["items"].items():
            hourly, monthly = entry.get("hourly"), entry.get("monthly")
            if (hourly is None) == (monthly is None):
                raise PriceFileError(f"{path}: items.{key}: give exactly one of 'hourly' and 'monthly'")
            items[key] = Price(
                key,
                entry["label"],
                entry["unit"],
                None if hourly is None else float(hourly),
                None if monthly is None else float(monthly),
                entry["note"],
                bool(entry.get("approximately", False)),
            )
        return PriceBook(region, doc["read"], path, dict(doc["sources"]), items)
    except (KeyError, TypeError, ValueError) as exc:
        raise PriceFileError(f"{path}: not a price file ({exc!r}): see tools/prices/us-east-1.json") from exc


def no_price_file(region: str, short: bool = False) -> str:
    return f"no price file for {region}" + ("" if short else ": cost not estimated")


# --------------------------------------------------------------------------- rules by resource type


@dataclass(frozen=True)
class Use:
    """A quantity of a price-file item that a resource keeps provisioned."""

    item: str
    quantity: float
    why: str = ""  # e.g. "2 subnets" when the unit alone does not say what was counted


@dataclass
class Usage:
    """What a rule found in one resource's inputs (region-independent)."""

    uses: list[Use] = field(default_factory=list)
    usage_based: str | None = None
    not_counted: str | None = None


@dataclass
class Context:
    """What a rule may need beyond the resource: the stack's other resources, counters."""

    by_id: dict[str, Resource]
    hosted_zones: int = 0


Rule = Callable[[Resource, Context], Usage]


def _resolver_endpoint(r: Resource, ctx: Context) -> Usage:
    enis = len(r.inputs.get("ipAddresses") or [])
    return Usage([Use("resolver-endpoint-eni", enis)], "Route 53 Resolver: DNS queries, per million")


def _vpc_endpoint(r: Resource, ctx: Context) -> Usage:
    kind = r.inputs.get("vpcEndpointType") or "Gateway"  # the provider's default
    if kind == "Gateway":
        return Usage()
    if kind == "Interface":
        subnets = set(r.inputs.get("subnetIds") or [])
        subnets |= {c.get("subnetId") for c in r.inputs.get("subnetConfigurations") or [] if c.get("subnetId")}
        return Usage(
            [Use("interface-endpoint-az", len(subnets), f"{len(subnets)} subnets")],
            "interface endpoints: data processed, per GB",
        )
    return Usage(not_counted=f"VPC endpoint of type {kind}: no price rule (tools/cost.py)")


def _tgw_attachment(r: Resource, ctx: Context) -> Usage:
    # Billed, like the data it sends to the gateway, to the account that owns the attached VPC.
    return Usage([Use("tgw-attachment", 1)], "Transit Gateway: data sent through an attachment, per GB")


def _nat_gateway(r: Resource, ctx: Context) -> Usage:
    return Usage([Use("nat-gateway", 1)], "NAT gateway: data processed, per GB")


def _eip(r: Resource, ctx: Context) -> Usage:
    return Usage([Use("public-ipv4", 1)])


def _instance(r: Resource, ctx: Context) -> Usage:
    i = r.inputs
    usage = Usage([Use(f"ec2:{i.get('instanceType')}", 1)])
    public = i.get("associatePublicIpAddress")
    if public is None:  # the subnet decides
        subnet = ctx.by_id.get(i.get("subnetId") or "")
        public = bool(subnet and subnet.inputs.get("mapPublicIpOnLaunch"))
    if public:
        usage.uses.append(Use("public-ipv4", 1))
    root = i.get("rootBlockDevice") or {}
    if root.get("volumeSize"):
        usage.uses.append(Use(f"ebs:{root.get('volumeType') or 'gp3'}", float(root["volumeSize"]), "root volume"))
    else:
        usage.not_counted = "EC2 root volume: its size comes from the image, not from the plan"
    return usage


def _hosted_zone(r: Resource, ctx: Context) -> Usage:
    ctx.hosted_zones += 1
    over = ctx.hosted_zones > HOSTED_ZONES_AT_FIRST_PRICE
    return Usage([Use("route53-hosted-zone-over-25" if over else "route53-hosted-zone", 1)])


def _kms_key(r: Resource, ctx: Context) -> Usage:
    return Usage([Use("kms-key", 1)], "KMS: requests, per 10,000")


def _dynamodb_table(r: Resource, ctx: Context) -> Usage:
    if r.inputs.get("billingMode") == "PAY_PER_REQUEST":
        return Usage(usage_based="DynamoDB on demand: requests, plus storage and backups per GB")
    return Usage(not_counted="DynamoDB provisioned capacity: no price rule (tools/cost.py)")


def _usage(text: str) -> Rule:
    def rule(r: Resource, ctx: Context) -> Usage:
        return Usage(usage_based=text)

    return rule


RULES: dict[str, Rule] = {
    "aws:route53/resolverEndpoint:ResolverEndpoint": _resolver_endpoint,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": _tgw_attachment,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/instance:Instance": _instance,
    "aws:route53/zone:Zone": _hosted_zone,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/replicaKey:ReplicaKey": _kms_key,
    "aws:kms/externalKey:ExternalKey": _kms_key,
    "aws:kms/replicaExternalKey:ReplicaExternalKey": _kms_key,
    "aws:dynamodb/table:Table": _dynamodb_table,
    "aws:cloudwatch/logGroup:LogGroup": _usage("CloudWatch Logs: ingestion and storage, per GB"),
    "aws:ec2/flowLog:FlowLog": _usage("VPC flow logs: log ingestion (vended logs) and storage, per GB"),
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig": _usage("Resolver query logs: delivery, per GB"),
    "aws:lambda/function:Function": _usage("Lambda: requests and GB-seconds"),
    "aws:apigateway/restApi:RestApi": _usage("API Gateway: requests, per million"),
    "aws:apigatewayv2/api:Api": _usage("API Gateway: requests, per million"),
    "aws:cognito/userPool:UserPool": _usage("Cognito: monthly active users"),
    "aws:cognito/riskConfiguration:RiskConfiguration": _usage("Cognito threat protection: monthly active users"),
    "aws:s3/bucket:Bucket": _usage("S3: storage per GB and requests"),
    "aws:s3/bucketV2:BucketV2": _usage("S3: storage per GB and requests"),
    "aws:efs/fileSystem:FileSystem": _usage("EFS: storage per GB"),
    "aws:sagemaker/domain:Domain": _usage("SageMaker Studio: apps per instance-hour while they run, home EFS per GB"),
    "aws:sns/topic:Topic": _usage("SNS: requests and deliveries"),
    # Free or not depends on the account's other budgets, which the plan cannot see: the first two
    # budgets of an account are free, each further one $0.02 a day (about $0.61 a month).
    "aws:budgets/budget:Budget": _usage(
        "AWS Budgets: the first two budgets of an account free, then $0.02 a day each (other budgets count)"
    ),
}

# No charge of their own (their traffic, if any, is billed on the resources above).
FREE_PREFIXES = ("aws:iam/", "aws:ram/", "aws:vpc/securityGroup")
FREE_TYPES = frozenset(
    {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/networkAcl:NetworkAcl",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
        "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
        "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
        "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
        "aws:ec2/eipAssociation:EipAssociation",
        "aws:ec2/keyPair:KeyPair",
        "aws:ec2transitgateway/transitGateway:TransitGateway",  # its attachments are billed
        "aws:ec2transitgateway/routeTable:RouteTable",
        "aws:ec2transitgateway/route:Route",
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
        "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
        "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter",
        "aws:route53/record:Record",
        "aws:route53/zoneAssociation:ZoneAssociation",
        "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization",
        "aws:route53/resolverRule:ResolverRule",
        "aws:route53/resolverRuleAssociation:ResolverRuleAssociation",
        "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        "aws:apigateway/account:Account",
        "aws:apigateway/authorizer:Authorizer",
        "aws:apigateway/deployment:Deployment",
        "aws:apigateway/integration:Integration",
        "aws:apigateway/integrationResponse:IntegrationResponse",
        "aws:apigateway/method:Method",
        "aws:apigateway/methodResponse:MethodResponse",
        "aws:apigateway/methodSettings:MethodSettings",
        "aws:apigateway/resource:Resource",
        "aws:apigateway/restApiPolicy:RestApiPolicy",
        "aws:apigateway/stage:Stage",
        "aws:lambda/permission:Permission",
        "aws:lambda/alias:Alias",
        "aws:cognito/userPoolClient:UserPoolClient",
        "aws:cognito/userPoolDomain:UserPoolDomain",
        "aws:cognito/managedLoginBranding:ManagedLoginBranding",  # managed login: in the feature plan
        "aws:cognito/user:User",
        "aws:cognito/userGroup:UserGroup",
        "aws:cognito/userInGroup:UserInGroup",
        "aws:cognito/identityProvider:IdentityProvider",
        "aws:dynamodb/tableItem:TableItem",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:sagemaker/userProfile:UserProfile",
        "aws:sagemaker/space:Space",
        "aws:sagemaker/studioLifecycleConfig:StudioLifecycleConfig",
        "aws:kms/alias:Alias",
        "aws:kms/grant:Grant",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:efs/mountTarget:MountTarget",
    }
)


def _is_free(type_: str) -> bool:
    return type_ in FREE_TYPES or type_.startswith(FREE_PREFIXES)


def _counted(r: Resource) -> bool:
    """Resources that are billed at all: AWS's own, not providers or component resources."""
    return r.custom and r.type.startswith("aws:")


# --------------------------------------------------------------------------- the estimate


def _money(value: float, approximately: bool = False) -> str:
    return ("approximately " if approximately else "") + f"${value:,.2f}"


def _unit_price(value: float) -> str:
    """$0.125, $0.01, $0.0047, $0.50: two decimals at least, more only when the price has them."""
    text = f"{value:.6f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"


def _quantity(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _plural(unit: str, quantity: float) -> str:
    if quantity == 1 or unit == "GB":
        return unit
    return unit + ("es" if unit.endswith("s") else "s")


@dataclass(frozen=True)
class Line:
    """A priced quantity: one resource's, or a stack's total of one item."""

    item: str
    label: str
    unit: str
    quantity: float
    monthly_usd: float
    basis: str
    approximately: bool

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "item": self.item,
            "label": self.label,
            "quantity": self.quantity,
            "unit": self.unit,
            "monthlyUsd": round(self.monthly_usd, 4),
            "basis": self.basis,
        }
        if self.approximately:
            doc["approximately"] = True
        return doc


def _line(price: Price, quantity: float) -> Line:
    rate = (
        f"{_unit_price(price.hourly)}/h x {HOURS_PER_MONTH} h"
        if price.hourly is not None
        else f"{_unit_price(price.monthly or 0.0)}/month"
    )
    basis = f"{_quantity(quantity)} {_plural(price.unit, quantity)} x {rate}"
    return Line(
        price.item,
        price.label,
        price.unit,
        quantity,
        quantity * price.per_month,
        basis,
        price.approximately,
    )


@dataclass
class ResourceCost:
    """One resource's figures; `lines` empty and no note for a free resource."""

    lines: list[Line] = field(default_factory=list)
    usage_based: str | None = None
    not_counted: str | None = None
    not_estimated: str | None = None

    @property
    def monthly_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if self.not_estimated:
            doc["notEstimated"] = self.not_estimated
        else:
            doc["monthlyUsd"] = round(self.monthly_usd, 4)
            if self.lines:
                doc["items"] = [line.to_json() for line in self.lines]
        if self.usage_based:
            doc["usageBased"] = self.usage_based
        if self.not_counted:
            doc["notCounted"] = self.not_counted
        return doc


@dataclass
class StackCost:
    stack: str
    region: str
    prices: PriceBook | None
    resources: dict[str, ResourceCost]  # by URN, the counted resources only

    @property
    def estimated(self) -> bool:
        return self.prices is not None

    @property
    def monthly_usd(self) -> float:
        return sum(c.monthly_usd for c in self.resources.values()) if self.estimated else 0.0

    @property
    def approximately(self) -> bool:
        return any(line.approximately for line in self.items())

    def items(self) -> list[Line]:
        """The stack's lines by item, in the price file's order."""
        if self.prices is None:
            return []
        quantities: dict[str, float] = {}
        for c in self.resources.values():
            for line in c.lines:
                quantities[line.item] = quantities.get(line.item, 0) + line.quantity
        return [_line(p, quantities[key]) for key, p in self.prices.items.items() if key in quantities]

    def usage_based(self) -> dict[str, int]:
        return _tally(c.usage_based for c in self.resources.values())

    def not_counted(self) -> dict[str, int]:
        return _tally(c.not_counted for c in self.resources.values())

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"region": self.region, "hoursPerMonth": HOURS_PER_MONTH}
        if self.prices is None:
            doc["notEstimated"] = no_price_file(self.region)
        else:
            doc |= {
                "priceFile": self.prices.shown_path,
                "pricesRead": self.prices.read,
                "monthlyUsd": round(self.monthly_usd, 4),
                "items": [line.to_json() for line in self.items()],
            }
            if self.approximately:
                doc["approximately"] = True
        doc["usageBased"] = [{"what": k, "resources": n} for k, n in self.usage_based().items()]
        doc["notCounted"] = [{"what": k, "resources": n} for k, n in self.not_counted().items()]
        return doc

    def report(self) -> list[str]:
        """The printed lines, for the end of the stack's plan."""
        if self.prices is None:
            lines = [f"  {no_price_file(self.region)}"]
        else:
            p = self.prices
            lines = [
                f"  fixed monthly cost while idle ({p.region} list prices read {p.read}, "
                f"{HOURS_PER_MONTH} h a month; {p.shown_path}):"
            ]
            rows = [(line.label, line.basis, _money(line.monthly_usd, line.approximately)) for line in self.items()]
            rows.append((f"total {self.stack}", "", _money(self.monthly_usd, self.approximately)))
            w0, w1, w2 = (max(len(r[i]) for r in rows) for i in range(3))
            lines += [f"    {a.ljust(w0)}  {b.ljust(w1)}  {c.rjust(w2)}" for a, b, c in rows]
        for title, tally in (
            ("usage-based, no figure", self.usage_based()),
            ("not counted", self.not_counted()),
        ):
            if tally:
                lines.append(f"  {title}:")
                lines += [f"    {what} ({n})" for what, n in tally.items()]
        return lines


def _tally(values: Iterable[str | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items()))


def estimate(stack: str, region: str, resources: Sequence[Resource], prices_dir: Path = PRICES_DIR) -> StackCost:
    """The stack's fixed monthly cost while idle, per resource, with the region's prices."""
    book = load_prices(region, prices_dir)
    counted = [r for r in resources if _counted(r)]
    ctx = Context(by_id={r.id: r for r in counted if r.id})
    costs: dict[str, ResourceCost] = {}
    for r in counted:
        rule = RULES.get(r.type)
        if rule is None:
            costs[r.urn] = ResourceCost() if _is_free(r.type) else ResourceCost(not_counted=f"{r.type}: no price rule")
            continue
        usage = rule(r, ctx)
        cost = ResourceCost(usage_based=usage.usage_based, not_counted=usage.not_counted)
        if book is None:
            if usage.uses:
                cost.not_estimated = no_price_file(region)
        else:
            missing = []
            for use in usage.uses:
                price = book.items.get(use.item)
                if price is None:
                    missing.append(use.item)
                elif use.quantity:
                    cost.lines.append(_line(price, use.quantity))
            if missing:
                note = f"no price for {', '.join(missing)} in {book.shown_path}"
                cost.not_counted = f"{cost.not_counted}; {note}" if cost.not_counted else note
        costs[r.urn] = cost
    return StackCost(stack, region, book, costs)


def total(costs: Mapping[str, StackCost]) -> dict[str, Any]:
    """Across stacks: the sum of the estimated ones, and which were not estimated."""
    estimated = {s: c for s, c in costs.items() if c.estimated}
    return {
        "hoursPerMonth": HOURS_PER_MONTH,
        "monthlyUsd": round(sum(c.monthly_usd for c in estimated.values()), 4),
        "stacks": {s: round(c.monthly_usd, 4) for s, c in estimated.items()},
        "notEstimated": {s: no_price_file(c.region) for s, c in costs.items() if not c.estimated},
        "approximately": any(c.approximately for c in estimated.values()),
    }


def total_report(costs: Mapping[str, StackCost]) -> str:
    t = total(costs)
    head = "fixed monthly cost while idle, all stacks:"
    missing = {s: no_price_file(c.region, short=True) for s, c in costs.items() if not c.estimated}
    if not t["stacks"]:
        return f"{head} not estimated ({'; '.join(sorted(set(missing.values())))})"
    parts = ", ".join(f"{s} {_money(v)}" for s, v in t["stacks"].items())
    text = f"{head} {_money(t['monthlyUsd'], t['approximately'])} ({parts})"
    if missing:
        text += "; not estimated: " + ", ".join(f"{s} ({why})" for s, why in missing.items())
    return text
