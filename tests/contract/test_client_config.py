"""The config file `tools/deploy.py` writes from the shared stack's outputs is one the client reads."""

from __future__ import annotations

from studio_access_client.config import parse_config

from tools.deploy import clientconfig


def test_client_reads_the_config_written_from_the_planned_shared_stack(planned):
    written = clientconfig.client_config(planned["shared"].outputs)
    cfg = parse_config(written, "studio-access.json")
    assert cfg.identity_provider == "cognito"
    assert cfg.api_url == written["apiUrl"].rstrip("/") and cfg.api_url.startswith("https://")
    assert cfg.token_issuer == f"https://cognito-idp.{cfg.region}.amazonaws.com/{cfg.user_pool_id}"
    assert cfg.client_id == written["clientId"]
