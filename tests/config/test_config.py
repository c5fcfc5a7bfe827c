"""Each bad input stops the program with a message naming the stack file, the key and the problem."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components import config
from tests.conftest import EXAMPLE


def test_the_projects_own_stack_files_are_valid():
    for stack in ("shared", "lob-a", "lob-b"):
        loaded = config.load(stack, config.read_stack_file(config.stack_file(stack, EXAMPLE)), EXAMPLE)
        assert loaded.stack == stack
        assert config.check_stack_file_settings(config.stack_file(stack, EXAMPLE)) == []


def test_defaults_reproduce_the_sample(project):
    project.edit("shared", lambda c: [c.pop(k) for k in ("studio-access:hub", "studio-access:access")])
    # The one key without a default (replacing API Gateway's account-wide role is a choice).
    project.edit("shared", lambda c: c.update({"studio-access:access": {"api": {"accountLoggingRole": "manage"}}}))
    cfg = project.load("shared").config
    assert str(cfg.hub.vpc_cidr) == "10.0.0.0/16"
    assert [str(s) for s in cfg.hub.private_subnets] == ["10.0.8.0/21", "10.0.16.0/21"]
    assert [str(s) for s in cfg.hub.attachment_subnets] == ["10.0.24.0/24", "10.0.25.0/24"]
    assert [str(i) for i in cfg.hub.resolver_inbound_ips] == ["10.0.15.133", "10.0.20.133"]
    assert [str(i) for i in cfg.hub.resolver_outbound_ips] == ["10.0.15.134", "10.0.20.134"]
    assert cfg.hub.transit_gateway_asn == 65000
    assert [str(c) for c in cfg.hub.on_prem_cidrs] == ["192.168.10.0/24"]
    assert str(cfg.access.vpc_cidr) == "10.17.0.0/16"
    assert [str(s) for s in cfg.access.attachment_subnets] == ["10.17.64.0/24", "10.17.4.0/24"]
    assert cfg.aws.region == "us-east-1"
    lob = project.load("lob-a").config.lob
    assert lob.domain == "sagemaker-domain-lob-a" and lob.user_profiles == ["user-lob-a"]


def _only(problems, key):
    found = [p for p in problems if p[1] == key]
    assert found, f"no problem for {key}: {problems}"
    return found[0]


def test_not_a_cidr(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(vpcCidr="10.0.0.300/16"))
    file, _key, msg = _only(project.problems("shared"), "studio-access:hub.vpcCidr")
    assert file == "Pulumi.shared.yaml" and "is not an IPv4 CIDR block" in msg


def test_host_bits_set_suggests_the_network(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(vpcCidr="10.100.0.1/16"))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.vpcCidr")
    assert "host bits set" in msg and "10.100.0.0/16" in msg


def test_subnet_outside_its_vpc(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(privateSubnets=["10.120.10.0/24", "10.121.11.0/24"]))
    file, _key, msg = _only(project.problems("lob-b"), "studio-access:lob")
    assert file == "Pulumi.lob-b.yaml"
    assert "privateSubnets 10.121.11.0/24 is not inside vpcCidr 10.120.0.0/16" in msg


def test_subnets_overlapping_each_other(project):
    project.edit(
        "shared", lambda c: c["studio-access:access"].update(attachmentSubnets=["10.17.8.0/25", "10.17.4.0/24"])
    )
    _, _, msg = _only(project.problems("shared"), "studio-access:access")
    assert "attachmentSubnets 10.17.8.0/25 overlaps" in msg or "overlaps attachmentSubnets 10.17.8.0/25" in msg


@pytest.mark.parametrize(
    "edit, key, other",
    [
        (
            lambda c: c["studio-access:hub"].update(onPremCidrs=["10.17.128.0/24"]),
            "studio-access:access.vpcCidr",
            "on-premises",
        ),
        (
            lambda c: c["studio-access:access"].update(
                vpcCidr="10.0.0.0/16",
                privateSubnets=["10.0.8.0/24", "10.0.16.0/24"],
                attachmentSubnets=["10.0.64.0/24", "10.0.4.0/24"],
            ),
            "studio-access:hub.vpcCidr",
            "access VPC",
        ),
        (
            lambda c: c["studio-access:hub"].update(onPremCidrs=["10.120.0.0/24"]),
            "studio-access:hub.onPremCidrs[0]",
            "LOB lob-b",
        ),
    ],
)
def test_overlaps_anywhere_the_tgw_routes_from_the_shared_stack(project, edit, key, other):
    project.edit("shared", edit)
    _, _, msg = _only(project.problems("shared"), key)
    assert other in msg and "must not overlap" in msg


def test_two_lob_vpcs_overlap_seen_from_both_sides(project):
    def move(c):
        c["studio-access:lob"].update(
            vpcCidr="10.100.0.0/16",
            privateSubnets=["10.100.10.0/24", "10.100.11.0/24"],
            attachmentSubnets=["10.100.20.0/24", "10.100.21.0/24"],
        )

    project.edit("lob-b", move)
    file, _, msg = _only(project.problems("lob-b"), "studio-access:lob.vpcCidr")
    assert file == "Pulumi.lob-b.yaml" and "LOB lob-a 10.100.0.0/16" in msg
    shared = project.problems("shared")
    assert any("LOB lob-a 10.100.0.0/16 overlaps LOB lob-b 10.100.0.0/16" in m for _, _, m in shared)


def test_lob_vpc_overlapping_the_central_vpc(project):
    def move(c):
        c["studio-access:lob"].update(
            vpcCidr="10.0.0.0/16",
            privateSubnets=["10.0.10.0/24", "10.0.11.0/24"],
            attachmentSubnets=["10.0.20.0/24", "10.0.21.0/24"],
        )

    project.edit("lob-a", move)
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.vpcCidr")
    assert "central VPC 10.0.0.0/16" in msg


@pytest.mark.parametrize("value", ["12345678901", "1234567890123", "12345678901a"])
def test_account_id_not_12_digits(project, value):
    project.edit("shared", lambda c: c["studio-access:lobs"][1].update(accountId=value))
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs[1].accountId")
    assert "12 digits" in msg


@pytest.mark.parametrize("value", [123456789012, 12345678901, 1402433619, 1.5])
def test_an_account_id_read_as_a_number_is_refused_with_the_fix(project, value):
    """Whatever number YAML made of it (octal included), never a guess: quote it."""
    project.edit("shared", lambda c: c["studio-access:lobs"][1].update(accountId=value))
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs[1].accountId")
    assert "read as a number" in msg and 'accountId: "' in msg


@pytest.mark.parametrize("written", ["012345670123", "123456789012", "012345678901"])
def test_an_unquoted_account_id_in_a_stack_file_is_refused(project, written):
    path = project.file("lob-a")
    account = project.read("lob-a")["studio-access:aws"]["accountId"]
    path.write_text(path.read_text().replace(f'accountId: "{account}"', f"accountId: {written}"))
    problems = config.check_stack_file_settings(path)
    assert problems == [
        (
            "Pulumi.lob-a.yaml",
            "studio-access:aws.accountId",
            f'{written} is not quoted: YAML may read it as a number (leading zeros lost, or octal); write accountId: "{written}"',
        )
    ]


def test_quoted_account_ids_pass_the_file_check(project):
    assert config.check_stack_file_settings(project.file("shared")) == []


def test_duplicate_lob(project):
    project.edit(
        "shared",
        lambda c: c["studio-access:lobs"].append(
            {"name": "lob-a", "accountId": "444444444444", "vpcCidr": "10.130.0.0/16"}
        ),
    )
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs")
    assert msg == "duplicate LOB name lob-a in lobs[0] lob-a, lobs[2] lob-a"


def test_two_lobs_in_one_account_names_both(project):
    account = project.read("shared")["studio-access:lobs"][0]["accountId"]
    project.edit("shared", lambda c: c["studio-access:lobs"][1].update(accountId=account))
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs")
    assert msg.startswith(f"duplicate LOB account {account} in lobs[0] lob-a, lobs[1] lob-b: ")


@pytest.mark.parametrize(
    "key, expected",
    [
        ("studio-acces:tags", "unknown namespace studio-acces:; nothing reads it (did you mean studio-access:tags?)"),
        (
            "studio-access-x:hub",
            "unknown namespace studio-access-x:; nothing reads it (did you mean studio-access:hub?)",
        ),
        ("tags", "a key without a namespace; nothing reads it (did you mean studio-access:tags?)"),
        ("other:thing", "unknown namespace other:; nothing reads it (this project reads only studio-access:... keys)"),
    ],
)
def test_unknown_namespaces_are_refused_with_the_nearest_key(project, key, expected):
    project.edit("shared", lambda c: c.update({key: {"owner": "x"}}))
    assert (("Pulumi.shared.yaml", key, expected)) in project.problems("shared")


def test_engine_settings_are_not_foreign_keys(project):
    project.edit("shared", lambda c: c.update({"pulumi:tags": {"team": "x"}}))
    assert project.load("shared").stack == "shared"


def test_a_misspelled_key_names_the_nearest(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(onPremCidr=["10.9.0.0/16"]))
    _, _, msg = _only(project.problems("shared"), "studio-access:hub.onPremCidr")
    assert msg.startswith("unknown key: did you mean onPremCidrs? allowed: ")


def test_every_oidc_requirement_in_one_run(project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(provider="oidc"))
    msgs = [m for f, k, m in project.problems("shared") if k == "studio-access:identity"]
    assert len(msgs) == 2 and "needs issuer" in msgs[0] and "needs audience or clientIds" in msgs[1]


@pytest.mark.parametrize("value", ["hunter2", {"secure": "v1:AAAA"}], ids=["plain", "secret"])
def test_the_old_shared_temporary_password_is_refused_with_the_fix(project, value):
    project.edit("shared", lambda c: c.update({"studio-access:temporaryPassword": value}))
    [(file, key, msg)] = project.problems("shared")
    assert (file, key) == ("Pulumi.shared.yaml", "studio-access:temporaryPassword")
    assert msg.startswith("no longer used: one first password shared by every user is refused")
    assert "pulumi config rm studio-access:temporaryPassword" in msg and "give each user an email" in msg
    assert "hunter2" not in msg
    # A LOB stack reading that shared file is not told about an "unknown key" either.
    assert project.load("lob-a").stack == "lob-a"


# --------------------------------------------------------------------------- identity and sessions (issue 13)


def test_identity_and_session_defaults(project):
    project.edit("shared", lambda c: c.pop("studio-access:identity"))
    cfg = project.load("shared").config
    identity = cfg.identity
    assert (identity.mfa, identity.threat_protection) == ("ON", "ENFORCED")
    assert (identity.access_token_validity_minutes, identity.refresh_token_validity_minutes) == (30, 24 * 60)
    assert cfg.access.session_expiration_seconds == 8 * 3600
    assert cfg.access.api.authorizer_ttl_seconds <= identity.access_token_validity_minutes * 60


@pytest.mark.parametrize("mfa", ["OPTIONAL", "OFF", False])
def test_mfa_other_than_on_is_refused(project, mfa):
    project.edit("shared", lambda c: c["studio-access:identity"].update(mfa=mfa))
    [msg] = [m for _, k, m in project.problems("shared") if k == "studio-access:identity.mfa"]
    assert "refused: MFA is required (ON, TOTP)" in msg and "mfa: ON" in msg


def test_an_unquoted_yaml_on_is_mfa_on(project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(mfa=True))  # what YAML 1.1 makes of ON
    assert project.load("shared").config.identity.mfa == "ON"


@pytest.mark.parametrize("mode", ["AUDIT", "OFF"])
def test_threat_protection_can_be_turned_down(project, mode):
    project.edit("shared", lambda c: c["studio-access:identity"].update(threatProtection=mode))
    assert project.load("shared").config.identity.threat_protection == mode


@pytest.mark.parametrize(
    "section, key, value",
    [
        ("identity", "accessTokenValidityMinutes", 4),
        ("identity", "accessTokenValidityMinutes", 61),
        ("identity", "refreshTokenValidityMinutes", 59),
        ("identity", "refreshTokenValidityMinutes", 1441),
        ("identity", "threatProtection", "ON"),
        ("access", "sessionExpirationSeconds", 28801),
        ("access", "sessionExpirationSeconds", 1799),
    ],
)
def test_lifetimes_outside_their_bounds(project, section, key, value):
    project.edit("shared", lambda c: c.setdefault(f"studio-access:{section}", {}).update({key: value}))
    assert _only(project.problems("shared"), f"studio-access:{section}.{key}")


def test_a_refresh_token_must_outlive_the_access_token(project):
    project.edit(
        "shared",
        lambda c: c["studio-access:identity"].update(accessTokenValidityMinutes=60, refreshTokenValidityMinutes=60),
    )
    _, _, msg = _only(project.problems("shared"), "studio-access:identity")
    assert "refreshTokenValidityMinutes 60 must be longer than accessTokenValidityMinutes 60" in msg


def test_the_authorizer_cache_never_outlives_the_access_token(project):
    def edit(c):
        c["studio-access:identity"].update(accessTokenValidityMinutes=15)
        c["studio-access:access"]["api"].update(authorizerTtlSeconds=1200)

    project.edit("shared", edit)
    [(file, _key, msg)] = project.problems("shared")
    assert file == "Pulumi.shared.yaml"
    assert msg.startswith(
        "access.api.authorizerTtlSeconds 1200 outlives identity.accessTokenValidityMinutes 15 (900 s)"
    )
    assert msg.endswith("set authorizerTtlSeconds to 900 or less")
    project.edit("shared", lambda c: c["studio-access:access"]["api"].update(authorizerTtlSeconds=900))
    assert project.load("shared").config.access.api.authorizer_ttl_seconds == 900


def test_every_cognito_user_needs_an_email(project):
    project.edit("shared", lambda c: c["studio-access:users"][1].pop("email"))
    [(_, key, msg)] = project.problems("shared")
    assert key == "studio-access:users[1].email"
    assert msg.startswith("required with provider cognito: Cognito mails user-lob-b their own temporary password")


OIDC = {"provider": "oidc", "issuer": "https://idp.example.com", "audience": "api://studio"}


def _oidc(project, **identity):
    project.edit("shared", lambda c: c.update({"studio-access:identity": {**OIDC, **identity}}))


def test_oidc_users_need_no_email(project):
    _oidc(project, usernameClaim="sub")
    project.edit("shared", lambda c: [u.pop("email") for u in c["studio-access:users"]])
    assert project.load("shared").config.users[0].email is None


@pytest.mark.parametrize("claim", ["email", "preferred_username", "name", "nickname", "upn", "unique_name"])
def test_a_mutable_username_claim_is_refused_unless_accepted_by_name(project, claim):
    _oidc(project, usernameClaim=claim)
    [msg] = [m for _, k, m in project.problems("shared") if k == "studio-access:identity"]
    assert f"usernameClaim {claim} is a claim many issuers let the person change" in msg
    assert msg.endswith(f"allowMutableUsernameClaim: {claim}")
    _oidc(project, usernameClaim=claim, allowMutableUsernameClaim=claim)
    assert project.load("shared").config.identity.username_claim == claim


def test_accepting_one_mutable_claim_does_not_accept_another(project):
    _oidc(project, usernameClaim="preferred_username", allowMutableUsernameClaim="email")
    msgs = [m for _, k, m in project.problems("shared") if k == "studio-access:identity"]
    assert len(msgs) == 2
    assert "usernameClaim preferred_username is a claim" in msgs[0]
    assert (
        msgs[1]
        == "allowMutableUsernameClaim email is not usernameClaim preferred_username: it accepts only the claim it names"
    )


def test_immutable_claims_and_rfc9068_for_oidc(project):
    _oidc(project, usernameClaim="oid", requireAccessTokenType=True)
    identity = project.load("shared").config.identity
    assert (identity.username_claim, identity.require_access_token_type) == ("oid", True)


def test_oidc_only_keys_with_cognito(project):
    project.edit(
        "shared",
        lambda c: c["studio-access:identity"].update(allowMutableUsernameClaim="email", requireAccessTokenType=True),
    )
    _, _, msg = _only(project.problems("shared"), "studio-access:identity")
    assert msg.startswith("allowMutableUsernameClaim, requireAccessTokenType: only for provider oidc")


def test_several_problems_of_one_model_are_one_line_each(project):
    project.edit(
        "shared",
        lambda c: c["studio-access:hub"].update(transitGatewayAsn=1, resolverInboundIps=["10.0.8.1", "10.9.9.9"]),
    )
    msgs = [m for f, k, m in project.problems("shared") if k == "studio-access:hub"]
    assert len(msgs) == 3 and all(";" not in m for m in msgs)


def test_lob_in_the_shared_account(project):
    project.edit("shared", lambda c: c["studio-access:lobs"][0].update(accountId="111111111111"))
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs")
    assert "RAM cannot share with the owning account" in msg


def test_lob_stack_naming_a_lob_the_shared_stack_does_not_list(project):
    project.edit("shared", lambda c: [c["studio-access:lobs"].pop(1), c["studio-access:users"].pop(1)])
    file, _, msg = _only(project.problems("lob-b"), "studio-access:lob.name")
    assert file == "Pulumi.lob-b.yaml"
    assert "LOB 'lob-b' is not listed in Pulumi.shared.yaml studio-access:lobs (known: lob-a)" in msg


def test_lob_account_differs_from_the_shared_stacks_entry(project):
    project.edit("lob-a", lambda c: c["studio-access:aws"].update(accountId="999999999999"))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:aws.accountId")
    assert "222222222222" in msg


def test_lob_region_differs_from_the_shared_region(project):
    project.edit("lob-a", lambda c: c["studio-access:aws"].update(region="eu-north-1"))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:aws.region")
    assert "Transit Gateway" in msg


def test_missing_required_key(project):
    project.edit("lob-a", lambda c: c["studio-access:aws"].pop("accountId"))
    file, _key, msg = _only(project.problems("lob-a"), "studio-access:aws.accountId")
    assert (file, msg) == ("Pulumi.lob-a.yaml", "required key is missing")


def test_missing_role(project):
    project.edit("lob-a", lambda c: c.pop("studio-access:role"))
    assert project.problems("lob-a") == [("Pulumi.lob-a.yaml", "studio-access:role", "missing one of: shared, lob")]


def test_unknown_nested_key_is_a_typo_not_ignored(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(userProfile=["x"]))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.userProfile")
    assert msg.startswith("unknown key") and "userProfiles" in msg


def test_unknown_top_level_key(project):
    project.edit("shared", lambda c: c.update({"studio-access:lob": {"name": "x"}}))
    _, _, msg = _only(project.problems("shared"), "studio-access:lob")
    assert msg.startswith("unknown key") and "lobs" in msg


def test_aws_namespace_keys_are_refused(project):
    project.edit("shared", lambda c: c.update({"aws:region": "eu-west-1"}))
    _, _, msg = _only(project.problems("shared"), "aws:region")
    assert "default AWS providers are disabled" in msg


def test_stack_file_without_disabled_default_providers(project):
    project.edit("lob-a", lambda c: c.pop("pulumi:disable-default-providers"))
    problems = config.check_stack_file_settings(project.file("lob-a"))
    assert problems == [
        (
            "Pulumi.lob-a.yaml",
            "pulumi:disable-default-providers",
            "must list aws, so no resource can fall back to ambient credentials",
        )
    ]


def test_resolver_ip_outside_its_zones_subnet(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(resolverInboundIps=["10.0.20.133", "10.0.15.133"]))
    _, _, msg = _only(project.problems("shared"), "studio-access:hub")
    assert "resolverInboundIps[0] 10.0.20.133 is not in privateSubnets[0] 10.0.8.0/21" in msg


def test_resolver_ip_reserved_by_aws(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(resolverOutboundIps=["10.0.8.1", "10.0.20.134"]))
    _, _, msg = _only(project.problems("shared"), "studio-access:hub")
    assert "10.0.8.1 is an address AWS reserves" in msg


def test_accept_ram_share_inside_an_organization(project):
    project.edit(
        "shared",
        lambda c: c["studio-access:ram"].update(
            organizationArn="arn:aws:organizations::111111111111:organization/o-abcdefghij"
        ),
    )
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(acceptRamShare=True))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.acceptRamShare")
    assert "sends no invitation" in msg


def test_accept_ram_share_needs_external_principals(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(acceptRamShare=True))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.acceptRamShare")
    assert "allowExternalPrincipals: true" in msg


def test_shared_stack_file_missing(project):
    project.file("shared").unlink()
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.sharedStack")
    assert "Pulumi.shared.yaml not found" in msg


def test_shared_stack_of_another_project(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(sharedStack="acme/other-project/shared"))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob")
    assert "not a stack of project studio-access" in msg


def test_lob_cidr_in_shared_entry_must_match_the_lob_stack(project):
    project.edit("shared", lambda c: c["studio-access:lobs"][0].update(vpcCidr="10.101.0.0/16"))
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs[0].vpcCidr")
    assert "differs from studio-access:lob.vpcCidr 10.100.0.0/16 in Pulumi.lob-a.yaml" in msg


def test_lob_without_stack_file_needs_a_cidr(project):
    project.edit("shared", lambda c: c["studio-access:lobs"].append({"name": "lob-c", "accountId": "444444444444"}))
    _, _, msg = _only(project.problems("shared"), "studio-access:lobs[2]")
    assert "no vpcCidr for LOB lob-c" in msg
    project.edit("shared", lambda c: c["studio-access:lobs"][2].update(vpcCidr="10.130.0.0/16"))
    assert [r.label for r in project.load("shared").routed][-1] == "LOB lob-c"


def test_bad_profile_name_for_sagemaker(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(userProfiles=["user_lob_a"]))
    _, _, msg = _only(project.problems("lob-a"), "studio-access:lob.userProfiles[0]")
    assert "SageMaker domain or profile name" in msg


def test_all_problems_reported_at_once(project):
    def break_it(c):
        c["studio-access:aws"]["accountId"] = "1"
        c["studio-access:hub"]["vpcCidr"] = "nope"
        c["studio-access:lobs"][0]["name"] = "LOB A"

    project.edit("shared", break_it)
    keys = {k for _, k, _ in project.problems("shared")}
    assert {"studio-access:aws.accountId", "studio-access:hub.vpcCidr", "studio-access:lobs[0].name"} <= keys


def test_error_text_names_file_key_and_problem(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(vpcCidr="nope"))
    with pytest.raises(config.ConfigError) as err:
        project.load("shared")
    assert "Pulumi.shared.yaml: studio-access:hub.vpcCidr: 'nope' is not an IPv4 CIDR block" in str(err.value)


octets = st.integers(min_value=0, max_value=255)


@settings(max_examples=60, deadline=None)
@given(second=octets, prefix=st.integers(min_value=16, max_value=24))
def test_an_on_prem_range_is_refused_exactly_when_it_overlaps_a_routed_range(second, prefix):
    """Property: whatever on-premises range is configured, overlap detection agrees with ipaddress."""
    shared = config.load_stack_file_config("shared", EXAMPLE)
    onprem = ipaddress.IPv4Network(f"10.{second}.0.0/{prefix}", strict=False)
    ranges, _ = config.routed_ranges(shared, "Pulumi.shared.yaml", EXAMPLE)
    others = [r for r in ranges if not r.label.startswith("on-premises")]
    mine = config.RoutedRange("on-premises", onprem, "f", "k")
    flagged = any(m.startswith("on-premises") for _, _, m in config.overlap_problems([mine, *others]))
    assert flagged == any(onprem.overlaps(r.cidr) for r in others)
