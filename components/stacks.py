"""Build the stack for its role: `shared` (network hub, access proxy) or `lob` (Studio domain).

The one module that sees the config models: it turns the validated config into each
component's Args of plain values, so no component depends on how the config is read.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Protocol

import pulumi

from . import boundary, outputs, refs
from .access_api import ApiSettings
from .access_identity import CognitoArgs, CognitoGroup, CognitoUser, OidcArgs, TokenChecks
from .access_mappings import LobAccount, UserMapping
from .access_proxy import AccessProxy, AccessProxyArgs
from .access_role import AccessRole, AccessRoleArgs
from .budgets import AccountBudget, AccountBudgetArgs
from .config import PROJECT, LoadedStack, LobStackConfig, SharedStackConfig
from .config.budget import BudgetConfig
from .config.shared import default_domain_prefix
from .network_hub import EXECUTE_API, ApiHostDns, NetworkHub, NetworkHubArgs, hosted_zone_ids
from .onprem import OnPremSimulator, OnPremSimulatorArgs
from .paths import PROJECT_DIR
from .provider import ProviderArgs, default_tags, make_provider
from .studio_domain import IdleShutdown, StudioDomain, StudioDomainArgs
from .vpc import VpcLayout


class _LayoutConfig(Protocol):
    """What the hub, access and LOB configs share: a VPC laid over two zones."""

    @property
    def vpc_cidr(self) -> ipaddress.IPv4Network: ...
    @property
    def private_subnets(self) -> tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]: ...
    @property
    def attachment_subnets(self) -> tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]: ...
    @property
    def flow_log_retention_days(self) -> int: ...
    def zones(self, region: str) -> tuple[str, str]: ...


class _AwsTargetConfig(Protocol):
    @property
    def region(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def profile(self) -> str | None: ...
    @property
    def assume_role_arn(self) -> str | None: ...


def runtime_config() -> dict[str, Any]:
    """Every config key the Pulumi engine gave this program (`namespace:key` -> value)."""
    engine: dict[str, Any] = pulumi.runtime.config.CONFIG.get()
    return {**pulumi.runtime.get_config_env(), **engine}


def project_dir() -> Path:
    """Where Pulumi.yaml and the stack files are (the engine's root directory)."""
    root = pulumi.get_root_directory()
    return Path(root) if root and (Path(root) / "Pulumi.yaml").exists() else PROJECT_DIR


def build(loaded: LoadedStack) -> dict[str, Any]:
    """Create the stack's resources; returns its outputs (names from components.outputs)."""
    boundary.apply_to_stack(loaded.config.aws.boundary_arn(loaded.stack))
    if isinstance(loaded.config, SharedStackConfig):
        return build_shared(loaded, loaded.config)
    return build_lob(loaded, loaded.config)


def vpc_layout(cfg: _LayoutConfig, region: str) -> VpcLayout:
    return VpcLayout(
        cidr=cfg.vpc_cidr,
        private_subnets=cfg.private_subnets,
        attachment_subnets=cfg.attachment_subnets,
        zones=cfg.zones(region),
        flow_log_retention_days=cfg.flow_log_retention_days,
    )


def _provider_options(target: _AwsTargetConfig, tags: dict[str, str]) -> pulumi.ResourceOptions:
    provider = make_provider(
        ProviderArgs(
            project=PROJECT,
            region=target.region,
            account_id=target.account_id,
            profile=target.profile,
            assume_role_arn=target.assume_role_arn,
            tags=tags,
        )
    )
    return pulumi.ResourceOptions(providers=[provider])


def account_budget(
    stack: str, account_id: str, cfg: BudgetConfig | None, opts: pulumi.ResourceOptions
) -> AccountBudget | None:
    """The account's monthly budget, when the stack config sets one."""
    if cfg is None:
        return None
    return AccountBudget(
        f"{stack}-budget",
        AccountBudgetArgs(
            stack=stack,
            account_id=account_id,
            monthly_usd=cfg.monthly_usd,
            alert_emails=tuple(cfg.alert_emails),
            sns_topic_arn=cfg.sns_topic_arn,
            thresholds=tuple(cfg.thresholds),
            alert_on=tuple(cfg.alert_on),
        ),
        opts=opts,
    )


def cognito_groups(cfg: SharedStackConfig) -> tuple[CognitoGroup, ...]:
    """The config's groups as Cognito groups, each member by the username its users entry spells."""
    spelled = {u.username.lower(): u.username for u in cfg.users}
    return tuple(
        CognitoGroup(name=g.name, members=tuple(spelled[m.lower()] for m in g.members), lobs=tuple(g.lobs))
        for g in cfg.groups
    )


def access_proxy_args(loaded: LoadedStack, cfg: SharedStackConfig, hub: NetworkHub) -> AccessProxyArgs:
    region, access, identity, api = cfg.aws.region, cfg.access, cfg.identity, cfg.access.api
    provider: CognitoArgs | OidcArgs
    if identity.provider == "cognito":
        emails = {u.username: u.email for u in cfg.users if u.email}
        assert len(emails) == len(cfg.users), "the config requires an email for every Cognito user"
        provider = CognitoArgs(
            pool_name=identity.pool_name,
            password_minimum_length=identity.password_minimum_length,
            access_token_validity_minutes=identity.access_token_validity_minutes,
            refresh_token_validity_minutes=identity.refresh_token_validity_minutes,
            threat_protection=identity.threat_protection,
            allow_password_auth=identity.allow_password_auth,
            deletion_protection=identity.deletion_protection,
            users=tuple(CognitoUser(username=name, email=email) for name, email in emails.items()),
            groups=cognito_groups(cfg),
            domain_prefix=identity.domain_prefix or default_domain_prefix(loaded.stack, cfg.aws.account_id),
            sign_in_scopes=tuple(identity.sign_in_scopes),
        )
    else:
        assert identity.issuer is not None, "the config requires an issuer for provider oidc"
        provider = OidcArgs(
            issuer=identity.issuer,
            client_ids=tuple(identity.client_ids),
            authorization_endpoint=identity.authorization_endpoint,
            token_endpoint=identity.token_endpoint,
            end_session_endpoint=identity.end_session_endpoint,
            page_client_id=identity.page_client_id,
            sign_in_scopes=tuple(identity.sign_in_scopes),
        )
    return AccessProxyArgs(
        region=region,
        account_id=cfg.aws.account_id,
        network=vpc_layout(access, region),
        # A spoke: it attaches once new attachments land in the spokes table (docs/network.md).
        transit_gateway_id=hub.spoke_transit_gateway_id,
        central_vpc_cidr=str(cfg.hub.vpc_cidr),
        hosted_zone_ids={k: hub.zones[k].zone_id for k in ("sts", "sagemaker-api")},
        execute_api_endpoint_id=hub.endpoints[EXECUTE_API].id,
        lobs=tuple(LobAccount(name=lob.name, account_id=lob.account_id) for lob in cfg.lobs),
        users=tuple(UserMapping(username=u.username, lob=u.lob, profile=u.profile) for u in cfg.users),
        group_lobs=cfg.group_lobs(),
        identity=provider,
        token_checks=TokenChecks(
            username_claim=identity.username_claim,
            leeway_seconds=identity.leeway_seconds,
            token_use=identity.token_use,
            audience=identity.audience,
            jwks_url=identity.jwks_url,
            require_access_token_type=identity.require_access_token_type,
            groups_claim=cfg.groups_claim,
        ),
        access_role_name=access.access_role_name,
        url_expires_seconds=access.url_expires_seconds,
        cache_ttl_seconds=access.cache_ttl_seconds,
        session_expiration_seconds=access.session_expiration_seconds,
        log_retention_days=access.log_retention_days,
        table_deletion_protection=access.table_deletion_protection,
        api=ApiSettings(
            stage=api.stage,
            authorizer_ttl_seconds=api.authorizer_ttl_seconds,
            throttling_rate_limit=api.throttling_rate_limit,
            throttling_burst_limit=api.throttling_burst_limit,
            execution_logging_level=api.execution_logging_level,
            manage_account_logging_role=api.manages_account_logging_role,
        ),
    )


def build_shared(loaded: LoadedStack, cfg: SharedStackConfig) -> dict[str, Any]:
    opts = _provider_options(cfg.aws, default_tags(PROJECT, loaded.stack, cfg.tags))
    region = cfg.aws.region
    hub = NetworkHub(
        "hub",
        NetworkHubArgs(
            region=region,
            account_id=cfg.aws.account_id,
            central=vpc_layout(cfg.hub, region),
            transit_gateway_asn=cfg.hub.transit_gateway_asn,
            resolver_inbound_ips=cfg.hub.resolver_inbound_ips,
            resolver_outbound_ips=cfg.hub.resolver_outbound_ips,
            on_prem_cidrs=tuple(cfg.hub.on_prem_cidrs),
            access_vpc_cidr=cfg.access.vpc_cidr,
            lob_vpc_cidrs=tuple(r.cidr for r in loaded.routed if r.label.startswith("LOB ")),
            lob_accounts=tuple(lob.account_id for lob in cfg.lobs),
            organization_arn=cfg.ram.organization_arn,
            allow_external_principals=cfg.ram.allow_external_principals,
            endpoint_policies=cfg.hub.endpoint_policies.enabled(),
        ),
        opts=opts,
    )
    proxy = AccessProxy("access", access_proxy_args(loaded, cfg, hub), opts=opts)
    # Once the API exists: its host's zone and forwarding rule, and the endpoint's API-only policy.
    api = proxy.private_api.api
    api_host = ApiHostDns("hub-api-host", hub.api_host_args(api.id, api.execution_arn), opts=opts)
    zone_ids = hosted_zone_ids(hub, api_host)
    simulator = None
    on_prem = cfg.on_prem
    if on_prem.enabled:
        assert on_prem.key_pair_name and on_prem.bastion_allowed_cidr, "the config requires them when enabled"
        simulator = OnPremSimulator(
            "onprem",
            OnPremSimulatorArgs(
                region=region,
                vpc_cidr=on_prem.vpc_cidr,
                public_subnets=on_prem.public_subnets,
                private_subnets=on_prem.private_subnets,
                zones=on_prem.zones(region),
                key_pair_name=on_prem.key_pair_name,
                bastion_allowed_cidr=on_prem.bastion_allowed_cidr,
                bastion_instance_type=on_prem.bastion_instance_type,
                windows_instance_type=on_prem.windows_instance_type,
                install_browser=on_prem.install_browser,
                central_vpc_id=hub.central.vpc.id,
                central_vpc_cidr=str(cfg.hub.vpc_cidr),
                central_route_table_id=hub.central.private_route_table.id,
                hosted_zone_ids={k: zone_ids[k] for k in (EXECUTE_API, "studio")},
                flow_log_retention_days=on_prem.flow_log_retention_days,
            ),
            opts=opts,
        )
    account_budget(loaded.stack, cfg.aws.account_id, cfg.budget, opts)
    pool, client = proxy.identity.user_pool, proxy.identity.user_pool_client
    sign_in = proxy.identity.sign_in
    # The sign-in page when there is one; else the API's per-person URL (the client's).
    open_url = proxy.private_api.page_url if sign_in else pulumi.Output.concat(proxy.api_url, "/<username>")
    return {
        outputs.ACCOUNT_ID: cfg.aws.account_id,
        outputs.REGION: region,
        outputs.CENTRAL_VPC_ID: hub.central.vpc.id,
        outputs.CENTRAL_VPC_CIDR: str(cfg.hub.vpc_cidr),
        outputs.TRANSIT_GATEWAY_ID: hub.transit_gateway.id,
        outputs.RAM_SHARE_ARN: hub.share.arn,
        outputs.RESOLVER_RULE_IDS: {k: r.id for k, r in hub.rules.items()} | {EXECUTE_API: api_host.rule.id},
        outputs.ENDPOINT_IDS: {k: e.id for k, e in hub.endpoints.items()},
        outputs.HOSTED_ZONE_IDS: dict(zone_ids),
        outputs.SAGEMAKER_API_ENDPOINT_ID: hub.endpoints["sagemaker-api"].id,
        outputs.STUDIO_ENDPOINT_ID: hub.endpoints["studio"].id,
        outputs.LOB_NAMES: [lob.name for lob in cfg.lobs],
        outputs.ACCESS_VPC_ID: proxy.network.vpc.id,
        outputs.API_ID: proxy.private_api.api.id,
        outputs.API_URL: proxy.api_url,
        outputs.IDENTITY_PROVIDER: cfg.identity.provider,
        **(
            {outputs.USER_POOL_ID: pool.id, outputs.USER_POOL_CLIENT_ID: client.id}
            if pool is not None and client is not None
            else {}
        ),
        outputs.TOKEN_ISSUER: proxy.token_issuer,
        outputs.USERS_TABLE: proxy.mappings.users_table.name,
        outputs.LOBS_TABLE: proxy.mappings.lobs_table.name,
        outputs.PRESIGNED_URL_ROLE_ARN: proxy.presigned_url.role.arn,
        outputs.ACCESS_ROLE_NAME: cfg.access.access_role_name,
        **(
            {
                outputs.SIGN_IN_URL: proxy.private_api.page_url,
                outputs.SIGN_IN_HOSTS: pulumi.Output.all(host_of(proxy.api_url), sign_in.hosts).apply(
                    lambda v: [v[0], *v[1]]
                ),
            }
            if sign_in
            else {}
        ),
        **(
            {
                outputs.ONPREM_TUNNEL_COMMAND: simulator.tunnel_command,
                outputs.ONPREM_OPEN_URL: open_url,
            }
            if simulator
            else {}
        ),
    }


def host_of(api_url: pulumi.Input[str]) -> pulumi.Output[str]:
    """`https://<host>/<stage>` -> `<host>`."""
    return pulumi.Output.from_input(api_url).apply(lambda url: url.split("/")[2])


def build_lob(loaded: LoadedStack, cfg: LobStackConfig) -> dict[str, Any]:
    lob, region = cfg.lob, cfg.aws.region
    opts = _provider_options(cfg.aws, default_tags(PROJECT, loaded.stack, cfg.tags, lob=lob.name))
    shared = refs.read_shared(lob.shared_stack)
    studio = StudioDomain(
        lob.name,
        StudioDomainArgs(
            region=region,
            account_id=cfg.aws.account_id,
            network=vpc_layout(lob, region),
            domain_name=lob.domain,
            user_profiles=tuple(lob.user_profiles),
            accept_ram_share=lob.accept_ram_share,
            runtime_endpoint=lob.runtime_endpoint,
            studio_bucket=lob.studio_bucket,
            home_efs_on_delete=lob.home_efs_on_delete,
            studio_bucket_force_destroy=lob.studio_bucket_force_destroy,
            idle_shutdown=IdleShutdown(
                idle_timeout_minutes=lob.idle_shutdown.idle_timeout_minutes,
                min_idle_timeout_minutes=lob.idle_shutdown.min_idle_timeout_minutes,
                max_idle_timeout_minutes=lob.idle_shutdown.max_idle_timeout_minutes,
            ),
            app_instance_types=tuple(lob.app_instance_types),
            # The operator consented by name (the config checked it): Pulumi may replace or delete it.
            protect_domain=lob.allow_domain_replacement is None,
            transit_gateway_id=shared.transit_gateway_id,
            ram_share_arn=shared.ram_share_arn,
            resolver_rule_ids=shared.resolver_rule_ids,
            central_vpc_cidr=shared.central_vpc_cidr,
        ),
        opts=opts,
    )
    access_role = AccessRole(
        f"{lob.name}-access",
        AccessRoleArgs(
            role_name=shared.access_role_name,
            region=region,
            account_id=cfg.aws.account_id,
            domain_id=studio.domain.id,
            domain_arn=studio.domain.arn,
            presigned_url_role_arn=shared.presigned_url_role_arn,
            sagemaker_api_endpoint_id=shared.sagemaker_api_endpoint_id,
            studio_endpoint_id=shared.studio_endpoint_id,
            just_in_time_profiles=lob.just_in_time_profiles,
        ),
        opts=opts,
    )
    account_budget(loaded.stack, cfg.aws.account_id, lob.budget, opts)
    return {
        outputs.ACCOUNT_ID: cfg.aws.account_id,
        outputs.LOB_NAME: lob.name,
        outputs.VPC_ID: studio.network.vpc.id,
        outputs.DOMAIN_ID: studio.domain.id,
        outputs.DOMAIN_ARN: studio.domain.arn,
        outputs.USER_PROFILE_NAMES: [p.user_profile_name for p in studio.user_profiles.values()],
        outputs.EXECUTION_ROLE_ARN: studio.execution_role.arn,
        outputs.STUDIO_BUCKET: studio.bucket_name,
        outputs.ACCESS_ROLE_ARN: access_role.role.arn,
    }
