"""The `studio-access` client's config file, from the shared stack's outputs: the deploy's side of that contract.

The client (`client/`, `studio_access_client.config`) reads what this writes;
`tests/e2e/test_client_config_contract.py` feeds one to the other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components import outputs
from tools.deploy.backend import SECRET, plain_outputs

CLIENT_KEYS = {  # client config key: shared stack output
    "apiUrl": outputs.API_URL,
    "region": outputs.REGION,
    "identityProvider": outputs.IDENTITY_PROVIDER,
    "tokenIssuer": outputs.TOKEN_ISSUER,
    "userPoolId": outputs.USER_POOL_ID,
    "clientId": outputs.USER_POOL_CLIENT_ID,
}
COGNITO_ONLY = ("userPoolId", "clientId")


def client_config(stack_outputs: Mapping[str, Any]) -> dict[str, str]:
    """The `studio-access` client's config from the shared stack's outputs.

    Cognito deployments carry the pool and app client ids; an OIDC deployment has neither (its
    client signs in with the issuer). A missing or secret output is an error naming it.
    """
    values = plain_outputs(stack_outputs)
    provider = values.get(outputs.IDENTITY_PROVIDER)
    wanted = [k for k in CLIENT_KEYS if provider == "cognito" or k not in COGNITO_ONLY]
    missing = [CLIENT_KEYS[k] for k in wanted if values.get(CLIENT_KEYS[k]) in (None, "")]
    if missing:
        raise ValueError(f"the shared stack's outputs lack {', '.join(missing)}: is it a shared stack, and deployed?")
    secret = [CLIENT_KEYS[k] for k in wanted if values[CLIENT_KEYS[k]] == SECRET]
    if secret:
        raise ValueError(f"outputs {', '.join(secret)} are secret; the client config holds no secrets")
    if provider not in ("cognito", "oidc"):
        raise ValueError(f"output {outputs.IDENTITY_PROVIDER} is {provider!r}, expected cognito or oidc")
    return {k: str(values[CLIENT_KEYS[k]]) for k in wanted}


def write_client_config(stack_outputs: Mapping[str, Any], path: Path) -> dict[str, str]:
    cfg = client_config(stack_outputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return cfg


def client_config_paths(shared: list[str], path: Path) -> dict[str, Path]:
    """Where each shared stack's client config goes: `path` itself when there is one."""
    if len(shared) == 1:
        return {shared[0]: path}
    return {s: path.with_name(f"{path.stem}-{s}{path.suffix}") for s in shared}
