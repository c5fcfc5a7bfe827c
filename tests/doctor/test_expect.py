"""What the doctor expects, read from the offline plan of the test project, in the deployed ids."""

from __future__ import annotations

from components import outputs as out
from contracts import authorizer_env, presigned_url_env, tags
from tools.doctor.expect import Translation, config_values, lob_expected, shared_expected

NONE = Translation({})


def test_translation_pairs_the_generated_outputs_only():
    planned = {"shared": {out.USERS_TABLE: "access-users-a1c4e87", out.ACCESS_ROLE_NAME: "Role", out.API_URL: "x"}}
    deployed = {"shared": {out.USERS_TABLE: "access-users-0f0f0f0", out.ACCESS_ROLE_NAME: "Other", out.API_URL: "y"}}
    tr = Translation.between(planned, deployed)
    assert tr.pairs == {"access-users-a1c4e87": "access-users-0f0f0f0"}  # a config value and a short one are not
    assert tr({"t": ["arn:aws:dynamodb:r:1:table/access-users-a1c4e87"]}) == {
        "t": ["arn:aws:dynamodb:r:1:table/access-users-0f0f0f0"]
    }


def test_translation_replaces_whole_arns_before_the_ids_inside_them():
    tr = Translation({"vpce-123456": "vpce-aaaaaa", "arn:x:vpce-123456": "arn:y:vpce-bbbbbb"})
    assert tr("arn:x:vpce-123456 and vpce-123456") == "arn:y:vpce-bbbbbb and vpce-aaaaaa"


def test_translation_skips_secrets():
    planned = {"s": {out.USER_POOL_CLIENT_ID: "client-mock-1"}}
    assert Translation.between(planned, {"s": {out.USER_POOL_CLIENT_ID: "[secret]"}}).pairs == {}


def test_shared_expectations_from_the_plan(doctor_plans):
    plan = doctor_plans["shared"]
    exp = shared_expected(plan, NONE)
    assert exp.endpoints == tuple(plan["outputs"][out.ENDPOINT_IDS])
    # every zone has its record, aliasing its own endpoint
    assert sorted(r.zone for r in exp.records) == sorted(plan["outputs"][out.HOSTED_ZONE_IDS])
    assert all(r.zone == r.endpoint for r in exp.records)
    assert {"sts", "sagemaker-api"} <= set(exp.access_zones)
    assert exp.principals == ("222222222222", "333333333333")
    assert exp.stage == "dev"
    assert exp.authorizer is not None and exp.authorizer.type == "REQUEST"
    assert set(exp.environments) == set(tags.FUNCTIONS)
    contract = {v.name for v in (*authorizer_env.ALL, *presigned_url_env.ALL)}
    assert set().union(*exp.environments.values()) <= contract
    assert {u for u in exp.cognito_users} == {"user-lob-a", "user-lob-b"}
    assert {(i.table, i.key) for i in exp.items} == {
        (out.USERS_TABLE, "user-lob-a"),
        (out.USERS_TABLE, "user-lob-b"),
        (out.LOBS_TABLE, "lob-a"),
        (out.LOBS_TABLE, "lob-b"),
    }


def test_planned_values_read_in_the_deployed_ids(doctor_plans, doctor_project):
    plan = doctor_plans["shared"]
    deployed = {**plan["outputs"], out.USERS_TABLE: "access-users-deployed", out.TOKEN_ISSUER: "https://issuer/x"}
    tr = Translation.between({"shared": plan["outputs"]}, {"shared": deployed})
    known = config_values(doctor_project.load("shared").config.model_dump(mode="json"))
    exp = shared_expected(plan, tr, known)
    env = exp.environments[tags.PRESIGNED_URL_FUNCTION]
    assert env[presigned_url_env.USERS_TABLE.name] == "access-users-deployed"  # an output, translated
    assert env[presigned_url_env.URL_EXPIRES_SECONDS.name] == "20"  # config
    assert exp.environments[tags.AUTHORIZER_FUNCTION][authorizer_env.TOKEN_ISSUER.name] == "https://issuer/x"
    # what only the mocks know (e.g. a KMS key's ARN) is checked for presence, never compared
    planned = {
        name: value
        for r in plan["resources"]
        if r["type"] == "aws:lambda/function:Function"
        for name, value in r["inputs"]["environment"]["variables"].items()
    }
    made_up = {name for variables in exp.environments.values() for name, v in variables.items() if v is None}
    assert all(planned[name] not in known and tr(planned[name]) == planned[name] for name in made_up)
    assert {name for name, value in planned.items() if ":kms:" in value} <= made_up


def test_a_generated_value_no_output_names_is_checked_for_presence_only():
    plan = {
        "outputs": {},
        "resources": [
            {"type": "aws:kms/key:Key", "name": "k", "id": "key-0123456789", "inputs": {"description": "d"}},
            {
                "type": "aws:lambda/function:Function",
                "name": "f",
                "id": "f-1",
                "inputs": {
                    "tags": {tags.FUNCTION_TAG: tags.AUTHORIZER_FUNCTION},
                    "environment": {"variables": {"KEY_ID": "key-0123456789", "TOKEN_USE": "access"}},
                },
            },
        ],
    }
    known = config_values({"identity": {"tokenUse": "access"}})
    assert shared_expected(plan, NONE, known).environments == {
        tags.AUTHORIZER_FUNCTION: {"KEY_ID": None, "TOKEN_USE": "access"}
    }
    # nothing known: only what an output explains is compared
    assert shared_expected(plan, NONE).environments[tags.AUTHORIZER_FUNCTION]["TOKEN_USE"] is None


def test_config_values_as_an_environment_writes_them():
    known = config_values({"a": {"n": 20, "on": True, "ids": ["c1", "c2"], "none": None}})
    assert {"20", "true", "c1", "c2"} <= known and "None" not in known
    assert presigned_url_env.URL_EXPIRES_SECONDS.default in known  # the contract's defaults


def test_lob_expectations_from_the_plan(doctor_plans):
    a = lob_expected(doctor_plans["lob-a"], doctor_plans["shared"])
    b = lob_expected(doctor_plans["lob-b"], doctor_plans["shared"])
    assert a.accept_share is True and b.accept_share is False  # the test project puts lob-a outside
    rules = [r for r in doctor_plans["lob-a"]["resources"] if r["type"].endswith("ResolverRuleAssociation")]
    assert len(a.rules) == len(rules) and set(a.rules) <= set(doctor_plans["shared"]["outputs"][out.RESOLVER_RULE_IDS])
    assert a.network_access == "VpcOnly"
    assert a.subnet_cidrs == {"10.100.10.0/24", "10.100.11.0/24"}
    assert b.subnet_cidrs == {"10.120.10.0/24", "10.120.11.0/24"}
    assert a.profiles == ("user-lob-a",)
    assert "sts:AssumeRole" in a.trust_actions


def test_lob_rules_follow_the_plan_not_a_list():
    shared = {"outputs": {out.RESOLVER_RULE_IDS: {"sts": "rr-sts-0001", "sagemaker-runtime": "rr-run-0001"}}}
    lob = {
        "outputs": {},
        "resources": [
            {
                "type": "aws:route53/resolverRuleAssociation:ResolverRuleAssociation",
                "id": "a",
                "inputs": {"resolverRuleId": "rr-sts-0001"},
            }
        ],
    }
    assert lob_expected(lob, shared).rules == ("sts",)  # e.g. runtimeEndpoint: local


def test_route_tables_by_their_name_tags():
    plan = {
        "outputs": {out.CENTRAL_VPC_ID: "vpc-central1", out.ACCESS_VPC_ID: "vpc-access1"},
        "resources": [
            {"type": "aws:ec2transitgateway/routeTable:RouteTable", "id": "rtb-h", "inputs": {"tags": {"Name": "hub"}}},
            {
                "type": "aws:ec2transitgateway/routeTable:RouteTable",
                "id": "rtb-s",
                "inputs": {"tags": {"Name": "spokes"}},
            },
            {
                "type": "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation",
                "id": "d",
                "inputs": {"transitGatewayRouteTableId": "rtb-s"},
            },
            {
                "type": "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
                "id": "att-c",
                "inputs": {"vpcId": "vpc-central1", "transitGatewayDefaultRouteTableAssociation": False},
            },
            {
                "type": "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
                "id": "att-a",
                "inputs": {"vpcId": "vpc-access1"},
            },
            {
                "type": "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
                "id": "as",
                "inputs": {"transitGatewayAttachmentId": "att-c", "transitGatewayRouteTableId": "rtb-h"},
            },
        ],
    }
    exp = shared_expected(plan, NONE)
    assert exp.default_route_table == "spokes"
    assert exp.attachments == {out.CENTRAL_VPC_ID: "hub", out.ACCESS_VPC_ID: "spokes"}
    # a plan without route tables: the TGW's own default, nothing named
    flat = shared_expected({**plan, "resources": plan["resources"][3:5]}, NONE)
    assert flat.default_route_table is None and flat.attachments == {out.CENTRAL_VPC_ID: None, out.ACCESS_VPC_ID: None}
