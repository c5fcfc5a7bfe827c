"""Build the stack for its role: `shared` (network hub) or `lob` (Studio domain)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from . import outputs, refs
from .access_proxy import AccessProxy, AccessProxyArgs
from .access_role import AccessRole, AccessRoleArgs
from .config import PROJECT, PROJECT_DIR, LoadedStack, LobStackConfig, SharedStackConfig
from .network_hub import NetworkHub, NetworkHubArgs
from .onprem import OnPremSimulator, OnPremSimulatorArgs
from .provider import default_tags, make_provider
from .studio_domain import StudioDomain, StudioDomainArgs


def runtime_config() -> dict[str, Any]:
    """Every config key the Pulumi engine gave this program (`namespace:key` -> value)."""
    return {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}


def project_dir() -> Path:
    """Where Pulumi.yaml and the stack files are (the engine's root directory)."""
    root = pulumi.get_root_directory()
    return Path(root) if root and (Path(root) / "Pulumi.yaml").exists() else PROJECT_DIR


def build(loaded: LoadedStack) -> dict[str, Any]:
    """Create the stack's resources; returns its outputs (names from components.outputs)."""
    if isinstance(loaded.config, SharedStackConfig):
        return build_shared(loaded, loaded.config)
    return build_lob(loaded, loaded.config)


def build_shared(loaded: LoadedStack, cfg: SharedStackConfig) -> dict[str, Any]:
    provider = make_provider(cfg.aws, default_tags(loaded.stack, cfg.tags))
    region = cfg.aws.region
    hub = NetworkHub(
        "hub",
        NetworkHubArgs(
            region=region,
            hub=cfg.hub,
            ram=cfg.ram,
            zones=cfg.hub.zones(region),
            client_cidrs=[r.cidr for r in loaded.routed if r.cidr != cfg.hub.vpc_cidr],
            lob_accounts=[lob.account_id for lob in cfg.lobs],
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    proxy = AccessProxy(
        "access",
        AccessProxyArgs(
            region=region,
            account_id=cfg.aws.account_id,
            access=cfg.access,
            identity=cfg.identity,
            lobs=cfg.lobs,
            users=cfg.users,
            zones=cfg.access.zones(region),
            transit_gateway_id=hub.transit_gateway.id,
            central_vpc_cidr=str(cfg.hub.vpc_cidr),
            hosted_zone_ids={k: hub.zones[k].zone_id for k in ("sts", "sagemaker-api")},
            execute_api_endpoint_id=hub.endpoints["execute-api"].id,
            temporary_password=(
                pulumi.Config(PROJECT).require_secret("temporaryPassword") if "temporaryPassword" in loaded.secrets else None
            ),
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    cognito = proxy.user_pool is not None
    simulator = None
    if cfg.on_prem.enabled:
        simulator = OnPremSimulator(
            "onprem",
            OnPremSimulatorArgs(
                config=cfg.on_prem,
                region=region,
                zones=cfg.on_prem.zones(region),
                central_vpc_id=hub.central.vpc.id,
                central_vpc_cidr=str(cfg.hub.vpc_cidr),
                central_route_table_id=hub.central.private_route_table.id,
                hosted_zone_ids={k: hub.zones[k].zone_id for k in ("execute-api", "studio")},
                api_url=proxy.api_url,
            ),
            opts=pulumi.ResourceOptions(providers=[provider]),
        )
    return {
        outputs.ACCOUNT_ID: cfg.aws.account_id,
        outputs.REGION: region,
        outputs.CENTRAL_VPC_ID: hub.central.vpc.id,
        outputs.CENTRAL_VPC_CIDR: str(cfg.hub.vpc_cidr),
        outputs.TRANSIT_GATEWAY_ID: hub.transit_gateway.id,
        outputs.RAM_SHARE_ARN: hub.share.arn,
        outputs.RESOLVER_RULE_IDS: {k: r.id for k, r in hub.rules.items()},
        outputs.ENDPOINT_IDS: {k: e.id for k, e in hub.endpoints.items()},
        outputs.HOSTED_ZONE_IDS: {k: z.zone_id for k, z in hub.zones.items()},
        outputs.SAGEMAKER_API_ENDPOINT_ID: hub.endpoints["sagemaker-api"].id,
        outputs.STUDIO_ENDPOINT_ID: hub.endpoints["studio"].id,
        outputs.LOB_NAMES: [lob.name for lob in cfg.lobs],
        outputs.ACCESS_VPC_ID: proxy.network.vpc.id,
        outputs.API_ID: proxy.api.id,
        outputs.API_URL: proxy.api_url,
        outputs.IDENTITY_PROVIDER: cfg.identity.provider,
        **(
            {outputs.USER_POOL_ID: proxy.user_pool.id, outputs.USER_POOL_CLIENT_ID: proxy.user_pool_client.id}
            if cognito
            else {}
        ),
        outputs.TOKEN_ISSUER: proxy.token_issuer,
        outputs.USERS_TABLE: proxy.users_table.name,
        outputs.LOBS_TABLE: proxy.lobs_table.name,
        outputs.PRESIGNED_URL_ROLE_ARN: proxy.presigned_url_role.arn,
        outputs.ACCESS_ROLE_NAME: cfg.access.access_role_name,
        **(
            {
                outputs.ONPREM_TUNNEL_COMMAND: simulator.tunnel_command,
                outputs.ONPREM_OPEN_URL: pulumi.Output.concat(proxy.api_url, "/<username>"),
            }
            if simulator
            else {}
        ),
    }


def build_lob(loaded: LoadedStack, cfg: LobStackConfig) -> dict[str, Any]:
    lob = cfg.lob
    provider = make_provider(cfg.aws, default_tags(loaded.stack, cfg.tags, lob=lob.name))
    shared = refs.read_shared(lob.shared_stack)
    studio = StudioDomain(
        lob.name,
        StudioDomainArgs(
            lob=lob,
            region=cfg.aws.region,
            account_id=cfg.aws.account_id,
            zones=lob.zones(cfg.aws.region),
            transit_gateway_id=shared.transit_gateway_id,
            ram_share_arn=shared.ram_share_arn,
            resolver_rule_ids=shared.resolver_rule_ids,
            central_vpc_cidr=shared.central_vpc_cidr,
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    access_role = AccessRole(
        f"{lob.name}-access",
        AccessRoleArgs(
            role_name=shared.access_role_name,
            region=cfg.aws.region,
            account_id=cfg.aws.account_id,
            domain_id=studio.domain.id,
            domain_arn=studio.domain.arn,
            presigned_url_role_arn=shared.presigned_url_role_arn,
            sagemaker_api_endpoint_id=shared.sagemaker_api_endpoint_id,
            studio_endpoint_id=shared.studio_endpoint_id,
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
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
