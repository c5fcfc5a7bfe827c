"""Pulumi mocks that answer like AWS would: realistic, deterministic ids and ARNs per account.

Used by the offline plan and the tests. Every resource gets an id shaped like the real one
(`vpc-…`, `tgw-attach-…`, `d-…`), an ARN in the stack's own account and region, and the
computed attributes the program reads (endpoint DNS entries, hosted zone ids, prefix lists).
A StackReference is answered with the outputs of the referenced stack's own run.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pulumi

from . import mock_keys


def digest(*parts: str, length: int = 17, alphabet: str = "0123456789abcdef") -> str:
    raw = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in raw)[:length]


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


# type token -> (id prefix, ARN resource part or None for "<kind>/<id>")
_ID_PREFIX: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/route:Route": "r-rtb-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2transitgateway/transitGateway:TransitGateway": "tgw-",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach-",
    "aws:route53/resolverRule:ResolverRule": "rslvr-rr-",
    "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": "rslvr-rrassoc-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx-",
    "aws:ec2transitgateway/routeTable:RouteTable": "tgw-rtb-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
}

_ARN_KIND: dict[str, str] = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": "transit-gateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "transit-gateway-attachment",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpc-endpoint",
    "aws:ec2/securityGroup:SecurityGroup": "security-group",
    "aws:ec2/routeTable:RouteTable": "route-table",
}


class PlanMocks(pulumi.runtime.Mocks):
    """Answers for one stack: its account and region, and the outputs of the stacks it references."""

    def __init__(
        self,
        *,
        stack: str,
        account_id: str,
        region: str,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
    ):
        self.stack = stack
        self.account_id = account_id
        self.region = region
        # fully qualified name of another stack -> its outputs
        self.stack_outputs = stack_outputs or {}

    # --- helpers

    def _id(self, typ: str, name: str) -> str:
        if typ == "aws:route53/resolverEndpoint:ResolverEndpoint":
            return "rslvr-" + ("in-" if "inbound" in name else "out-") + digest(self.stack, typ, name)
        return _ID_PREFIX.get(typ, "") + digest(self.stack, typ, name)

    def _arn(self, typ: str, rid: str) -> str:
        module, kind = typ.split(":")[1].split("/")[0], _ARN_KIND.get(typ) or _kebab(typ.split(":")[-1])
        return f"arn:aws:{module}:{self.region}:{self.account_id}:{kind}/{rid}"

    # --- the Mocks interface

    # The monitor takes a bare dict too (no check failures): that is what these answers are.
    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/plan",
                "userId": "AIDPLAN",
                "id": self.account_id,
            }
        if args.token == "aws:kms/getPublicKey:getPublicKey":
            # The key's public half, from a key pair derived from the key (tools.mock_keys).
            key_id = str(args.args.get("keyId", ""))
            public = mock_keys.key_pair(f"{self.stack}/{key_id}").public_der_b64()
            return {
                "id": key_id,
                "keyId": key_id,
                "arn": key_id,
                "publicKey": public,
                "publicKeyPem": "",
                "customerMasterKeySpec": "RSA_2048",
                "keyUsage": "SIGN_VERIFY",
                "signingAlgorithms": ["RSASSA_PKCS1_V1_5_SHA_256"],
                "encryptionAlgorithms": [],
            }
        if args.token == "aws:ssm/getParameter:getParameter":
            name = args.args.get("name", "")
            return {"name": name, "type": "String", "value": "ami-" + digest(name), "version": 1, "id": name}
        raise NotImplementedError(f"the plan mocks do not answer invoke {args.token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:pulumi:StackReference":
            fqn = inputs.get("name", name)
            if fqn not in self.stack_outputs:
                raise KeyError(f"stack {self.stack} references stack {fqn}, which the plan has not run")
            return f"{fqn}", {"name": fqn, "outputs": self.stack_outputs[fqn], "secretOutputNames": []}
        if typ.startswith("pulumi:providers:") or not args.custom:
            return f"{name}_id", inputs
        rid = self._id(typ, name)
        state = {"arn": self._arn(typ, rid), **inputs}
        if inputs.get("namePrefix") and not inputs.get("name"):  # AWS appends a unique suffix
            state["name"] = f"{inputs['namePrefix']}{digest(self.stack, name, length=26, alphabet='0123456789')}"
        state.setdefault("name", f"{name}-{digest(self.stack, name, length=7)}")
        state.update(self._computed(typ, name, rid, inputs, state))
        return state.get("id", rid), state

    def _computed(self, typ: str, name: str, rid: str, inputs: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        acct, region = self.account_id, self.region
        if typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
            service = inputs.get("serviceName", "")
            short = service.split(f".{region}.", 1)[-1]
            return {
                "dnsEntries": [
                    {
                        "dnsName": f"{rid}-{digest(rid, length=8)}.{short}.{region}.vpce.amazonaws.com",
                        "hostedZoneId": "Z7HUB22UULQXV",
                    }
                ],
                "prefixListId": "pl-63a5400a" if inputs.get("vpcEndpointType") == "Gateway" else None,
                "ownerId": acct,
                "state": "available",
            }
        if typ == "aws:route53/zone:Zone":
            zone_id = "Z" + digest(self.stack, name, length=20, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            return {"id": zone_id, "zoneId": zone_id, "arn": f"arn:aws:route53:::hostedzone/{zone_id}"}
        if typ == "aws:route53/record:Record":
            return {"fqdn": inputs.get("name")}
        if typ == "aws:ram/resourceShare:ResourceShare":
            arn = f"arn:aws:ram:{region}:{acct}:resource-share/{digest(self.stack, name, length=36)}"
            return {"id": arn, "arn": arn}
        if typ == "aws:iam/role:Role":
            role_name = inputs.get("name") or state["name"]
            return {
                "name": role_name,
                "id": role_name,
                "arn": f"arn:aws:iam::{acct}:role/{role_name}",
                "uniqueId": "AROA" + rid.upper(),
            }
        if typ == "aws:kms/key:Key":
            h = digest(self.stack, typ, name, length=32)
            key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
            return {"id": key_id, "keyId": key_id, "arn": f"arn:aws:kms:{region}:{acct}:key/{key_id}"}
        if typ == "aws:iam/policy:Policy":
            return {"arn": f"arn:aws:iam::{acct}:policy/{state['name']}"}
        if typ == "aws:s3/bucket:Bucket":
            bucket = inputs.get("bucket") or f"{name}-{digest(self.stack, name, length=7)}"
            return {"id": bucket, "bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
        if typ == "aws:sagemaker/domain:Domain":
            domain_id = "d-" + digest(self.stack, name, length=12, alphabet="abcdefghijklmnopqrstuvwxyz0123456789")
            return {
                "id": domain_id,
                "arn": f"arn:aws:sagemaker:{region}:{acct}:domain/{domain_id}",
                "url": f"https://{domain_id}.studio.{region}.sagemaker.aws",
                "homeEfsFileSystemId": "fs-" + rid[:17],
            }
        if typ == "aws:sagemaker/userProfile:UserProfile":
            profile = inputs.get("userProfileName")
            return {"arn": f"arn:aws:sagemaker:{region}:{acct}:user-profile/{inputs.get('domainId')}/{profile}"}
        if typ == "aws:route53/resolverRule:ResolverRule":
            return {"arn": f"arn:aws:route53resolver:{region}:{acct}:resolver-rule/{rid}", "ownerId": acct}
        if typ == "aws:ec2/instance:Instance":
            host = int(digest(rid, length=2), 16) + 10
            public = {"publicIp": f"198.51.100.{host}"} if inputs.get("associatePublicIpAddress") else {}
            return {"privateIp": f"192.168.10.{host % 60 + 4}", **public}
        if typ == "aws:apigateway/restApi:RestApi":
            api_id = digest(self.stack, name, length=10, alphabet="abcdefghijklmnopqrstuvwxyz0123456789")
            return {
                "id": api_id,
                "rootResourceId": digest(api_id, length=10, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"),
                "arn": f"arn:aws:apigateway:{region}::/restapis/{api_id}",
                "executionArn": f"arn:aws:execute-api:{region}:{acct}:{api_id}",
            }
        if typ == "aws:lambda/function:Function":
            fn = inputs.get("name") or state["name"]
            arn = f"arn:aws:lambda:{region}:{acct}:function:{fn}"
            return {
                "id": fn,
                "name": fn,
                "arn": arn,
                "invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
                "qualifiedArn": f"{arn}:$LATEST",
            }
        if typ == "aws:dynamodb/table:Table":
            table = inputs.get("name") or state["name"]
            return {"id": table, "name": table, "arn": f"arn:aws:dynamodb:{region}:{acct}:table/{table}"}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            group = inputs.get("name") or state["name"]
            return {"id": group, "arn": f"arn:aws:logs:{region}:{acct}:log-group:{group}"}
        if typ == "aws:cognito/userPool:UserPool":
            pool_id = f"{region}_" + digest(
                self.stack, name, length=9, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            )
            return {
                "id": pool_id,
                "arn": f"arn:aws:cognito-idp:{region}:{acct}:userpool/{pool_id}",
                "endpoint": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
            }
        if typ == "aws:cognito/userPoolClient:UserPoolClient":
            return {"id": digest(self.stack, name, length=26, alphabet="abcdefghijklmnopqrstuvwxyz0123456789")}
        if typ == "aws:apigateway/stage:Stage":
            return {
                "invokeUrl": f"https://{inputs.get('restApi')}.execute-api.{region}.amazonaws.com/{inputs.get('stageName')}",
                "arn": f"arn:aws:apigateway:{region}::/restapis/{inputs.get('restApi')}/stages/{inputs.get('stageName')}",
            }
        if typ == "aws:ec2transitgateway/transitGateway:TransitGateway":
            return {"ownerId": acct, "associationDefaultRouteTableId": "tgw-rtb-" + rid[4:]}
        return {}
