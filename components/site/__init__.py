"""The sign-in page the private API serves at `GET /<stage>/` (docs/sign-in.md).

Three source files beside this module, `index.html`, `page.js` and `page.css`, become one
document: the script and the style sheet are inlined and allowed by their SHA-256 hashes in the
Content-Security-Policy, so the page is one unauthenticated route and loads nothing else (no
framework, no third-party script, no CDN). The identity provider's endpoints and the page's
client go into a JSON data block the script reads.

`render` is pure: `components.access_api` puts its result in an API Gateway MOCK integration,
and the end-to-end test gateway serves the same bytes with the same headers. API Gateway passes
an integration response's body through a VTL template, in which `$` and `#` are syntax: the
page contains neither (checked here, so a change that adds one fails the plan, not the deploy).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

HERE: Final = Path(__file__).resolve().parent
SOURCES: Final = ("index.html", "page.js", "page.css")
# VTL syntax: the served page may contain neither.
VTL_UNSAFE: Final = ("$", "#")
# The headers every answer of the page carries (their names are the method response's parameters).
HEADER_NAMES: Final = (
    "Content-Type",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cache-Control",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Strict-Transport-Security",
)
_SCOPE: Final = re.compile(r"[A-Za-z0-9_.:/-]+")
_LOOPBACK: Final = ("127.0.0.1", "localhost")


@dataclass(frozen=True, kw_only=True)
class PageSettings:
    """What the page needs to sign a person in and call the API, as plain values."""

    provider: Literal["cognito", "oidc"]
    # The identity provider's authorization, token and (optional) logout endpoints.
    authorize_url: str
    token_url: str
    logout_url: str | None
    # The page's public client (no secret: PKCE protects the code).
    client_id: str
    # The `iss` of the ID token the page accepts.
    issuer: str
    # The access token's claim that names the person (the path's `{user}`; the authorizer checks it).
    username_claim: str
    scopes: tuple[str, ...]
    # The API stage: the page is `/<stage>/`, its API `/<stage>/<user>...`.
    stage: str


@dataclass(frozen=True)
class Page:
    html: str
    headers: dict[str, str]


def source(name: str) -> str:
    """One of the page's source files."""
    if name not in SOURCES:
        raise ValueError(f"{name} is not one of the page's files {SOURCES}")
    return (HERE / name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """A CSP hash source for an inline script or style element's exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _check_url(what: str, url: str) -> None:
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK  # the tests' identity provider
    if not (parts.scheme == "https" or local) or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"sign-in page: {what} {url!r} is not an https URL without query or fragment")
    if any(c in url for c in (*VTL_UNSAFE, "'", '"', ";", ",", " ")):
        raise ValueError(f"sign-in page: {what} {url!r} holds a character the page's CSP or template cannot carry")


def _check(settings: PageSettings) -> None:
    for what, url in (("authorize URL", settings.authorize_url), ("token URL", settings.token_url)):
        _check_url(what, url)
    if settings.logout_url is not None:
        _check_url("logout URL", settings.logout_url)
    if "openid" not in settings.scopes or not all(_SCOPE.fullmatch(s) for s in settings.scopes):
        raise ValueError(f"sign-in page: scopes {settings.scopes} must include openid and be plain scope names")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", settings.stage):
        raise ValueError(f"sign-in page: stage {settings.stage!r} is not an API stage name")
    for what, value in (
        ("client id", settings.client_id),
        ("issuer", settings.issuer),
        ("username claim", settings.username_claim),
    ):
        if not value or any(c in value for c in VTL_UNSAFE) or any(c.isspace() for c in value):
            raise ValueError(f"sign-in page: {what} {value!r} is empty or holds $, # or spaces")


def base_path(stage: str) -> str:
    return f"/{stage}/"


def page_config(settings: PageSettings) -> dict[str, str | None]:
    """The JSON the script reads (`studio-access-config`)."""
    return {
        "provider": settings.provider,
        "authorizeUrl": settings.authorize_url,
        "tokenUrl": settings.token_url,
        "logoutUrl": settings.logout_url,
        "clientId": settings.client_id,
        "issuer": settings.issuer,
        "usernameClaim": settings.username_claim,
        "scopes": " ".join(settings.scopes),
        "basePath": base_path(settings.stage),
    }


def content_security_policy(settings: PageSettings, script: str, style: str) -> str:
    """Nothing but the inline script and style (by hash), calls to this API and the token
    endpoint, no framing, no <base>, forms only to the identity provider, Trusted Types on."""
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {csp_hash(script)}",
            f"style-src {csp_hash(style)}",
            f"connect-src 'self' {settings.token_url}",
            f"form-action {origin(settings.authorize_url)}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'",
        )
    )


def render(settings: PageSettings) -> Page:
    """The page's document and the headers it is served with."""
    _check(settings)
    script, style = source("page.js"), source("page.css")
    data = json.dumps(page_config(settings), sort_keys=True, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    html = source("index.html")
    for placeholder, value in (("{{STYLE}}", style), ("{{CONFIG}}", data), ("{{SCRIPT}}", script)):
        if html.count(placeholder) != 1:
            raise ValueError(f"index.html must hold {placeholder} once")
        html = html.replace(placeholder, value)
    unsafe = sorted({c for c in VTL_UNSAFE if c in html})
    if unsafe:
        raise ValueError(f"the sign-in page holds {' and '.join(unsafe)}: API Gateway's VTL template would alter it")
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": content_security_policy(settings, script, style),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Strict-Transport-Security": "max-age=31536000",
    }
    assert tuple(headers) == HEADER_NAMES
    return Page(html=html, headers=headers)
