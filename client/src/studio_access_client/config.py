"""The config file the platform team hands out (written from the shared stack's outputs).

```json
{"apiUrl": "https://<apiId>.execute-api.<region>.amazonaws.com/<stage>",
 "region": "us-east-1", "userPoolId": "us-east-1_AbCdEf123", "clientId": "...",
 "identityProvider": "cognito", "tokenIssuer": "https://cognito-idp.<region>.amazonaws.com/<poolId>"}
```
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
POOL_ID = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$")
CLIENT_ID = re.compile(r"^[\w+]{1,128}$")
PROVIDERS = ("cognito", "oidc")


@dataclass(frozen=True)
class Config:
    api_url: str  # no trailing slash: <api_url>/<username>
    region: str
    identity_provider: str
    user_pool_id: str | None
    client_id: str | None
    token_issuer: str
    source: str  # the file it came from, for messages


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be a URL (a non-empty string)"
    parts = urlsplit(value)
    if not parts.hostname:
        return f"{value!r} is not an absolute URL"
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname)):
        return f"{value!r} must use https (plain http only for a loopback host)"
    if parts.query or parts.fragment:
        return f"{value!r} must not have a query or fragment"
    return None


def parse_config(data: Any, source: str) -> Config:
    """Validate the decoded JSON; every problem is named with its key. Unknown keys are ignored."""
    if not isinstance(data, dict):
        raise ConfigError(f"config file {source}: must be a JSON object with apiUrl, region, ...")
    problems: list[str] = []

    def need(key: str) -> Any:
        if data.get(key) in (None, ""):
            problems.append(f"{key}: missing")
            return None
        return data[key]

    provider = data.get("identityProvider") or "cognito"
    if provider not in PROVIDERS:
        problems.append(f"identityProvider: {provider!r} is not one of {', '.join(PROVIDERS)}")

    api_url = need("apiUrl")
    if api_url is not None and (p := _url_problem(api_url)):
        problems.append(f"apiUrl: {p}")

    region = need("region")
    if region is not None and not (isinstance(region, str) and REGION.match(region)):
        problems.append(f"region: {region!r} is not an AWS region name like us-east-1")

    issuer = need("tokenIssuer")
    if issuer is not None and (p := _url_problem(issuer)):
        problems.append(f"tokenIssuer: {p}")

    pool_id = data.get("userPoolId") or None
    client_id = data.get("clientId") or None
    if provider == "cognito":
        pool_id = need("userPoolId")
        client_id = need("clientId")
        if pool_id is not None:
            m = POOL_ID.match(pool_id) if isinstance(pool_id, str) else None
            if not m:
                problems.append(f"userPoolId: {pool_id!r} is not a Cognito user pool id like us-east-1_AbC123")
            elif isinstance(region, str) and m.group(1) != region:
                problems.append(f"userPoolId: {pool_id!r} is in {m.group(1)}, but region is {region!r}")
        if client_id is not None and not (isinstance(client_id, str) and CLIENT_ID.match(client_id)):
            problems.append(f"clientId: {client_id!r} is not a Cognito app client id")

    if problems:
        raise ConfigError(f"config file {source}: " + "; ".join(problems))
    return Config(
        api_url=api_url.rstrip("/"),
        region=region,
        identity_provider=provider,
        user_pool_id=pool_id,
        client_id=client_id,
        token_issuer=issuer.rstrip("/"),
        source=source,
    )


def load_config(path: Path, how: str) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"no config file at {path} ({how}). Ask the platform team for the studio-access "
            f"config file (a JSON file with apiUrl, region, userPoolId, clientId, ...) and put it "
            f"there, or pass --config FILE, or set STUDIO_ACCESS_CONFIG."
        ) from None
    except OSError as err:
        raise ConfigError(f"cannot read config file {path}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"config file {path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    return parse_config(data, str(path))
