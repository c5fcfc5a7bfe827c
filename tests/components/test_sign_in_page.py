"""The sign-in page alone: `components/site` renders it (inline script and style by CSP hash,
nothing API Gateway's VTL would alter, bad settings refused), `access_identity` gives Cognito the
domain and code flow it needs (or passes an OIDC issuer's endpoints), `access_api` serves it at
GET / without authorizer."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from typing import Any

import pytest

from components import site
from components.access_api import PrivateApi
from components.access_identity import CognitoArgs, Identity, IdentityArgs, OidcArgs, SignInEndpoints, TokenChecks
from tests.components.conftest import REGION, Graph, Parent
from tests.components.test_access_api import ARGS

SETTINGS = site.PageSettings(
    provider="cognito",
    authorize_url="https://corp-login.auth.us-east-1.amazoncognito.com/oauth2/authorize",
    token_url="https://corp-login.auth.us-east-1.amazoncognito.com/oauth2/token",
    logout_url="https://corp-login.auth.us-east-1.amazoncognito.com/logout",
    client_id="5example0client0id0abcdefg",
    issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
    username_claim="username",
    scopes=("openid", "email", "profile"),
    stage="prod",
)


def _inline(html: str, tag: str) -> str:
    [text] = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
    return text


def _config(html: str) -> dict[str, Any]:
    return json.loads(
        re.search(r'<script type="application/json" id="studio-access-config">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]


# --------------------------------------------------------------------------- components/site


def test_script_and_style_are_inline_and_allowed_by_their_hashes_alone() -> None:
    page = site.render(SETTINGS)
    script, style = _inline(page.html, "script"), _inline(page.html, "style")
    assert script == site.source("page.js") and style == site.source("page.css")
    csp = dict(part.split(" ", 1) for part in page.headers["Content-Security-Policy"].split("; "))
    digest = lambda text: "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"  # noqa: E731
    assert csp["script-src"] == digest(script) and csp["style-src"] == digest(style)
    assert csp == {
        "default-src": "'none'",
        "script-src": digest(script),
        "style-src": digest(style),
        "connect-src": f"'self' {SETTINGS.token_url}",
        "form-action": "https://corp-login.auth.us-east-1.amazoncognito.com",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "require-trusted-types-for": "'script'",
        "trusted-types": "'none'",
    }
    # no other script, style or resource is loaded: no src=, no href= anywhere
    assert page.html.count("<script") == 2 and not re.search(r"\b(src|href)=", page.html)


def test_the_headers_and_the_scripts_settings() -> None:
    page = site.render(SETTINGS)
    assert tuple(page.headers) == site.HEADER_NAMES
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert _config(page.html) == {
        "provider": "cognito",
        "authorizeUrl": SETTINGS.authorize_url,
        "tokenUrl": SETTINGS.token_url,
        "logoutUrl": SETTINGS.logout_url,
        "clientId": SETTINGS.client_id,
        "issuer": SETTINGS.issuer,
        "usernameClaim": "username",
        "scopes": "openid email profile",
        "basePath": "/prod/",
    }


def test_nothing_in_the_page_is_vtl_syntax() -> None:
    for name in site.SOURCES:
        assert "$" not in site.source(name) and "#" not in site.source(name), name
    assert "$" not in site.render(SETTINGS).html


def test_the_script_keeps_tokens_out_of_storage_and_the_dom() -> None:
    script = re.sub(r"/\*.*?\*/|//[^\n]*", "", site.source("page.js"), flags=re.S)  # code, not comments
    # the only storage use: the sign-in attempt (state, nonce, verifier), removed on return
    assert re.findall(r"(localStorage|sessionStorage|document\.cookie|indexedDB)", script) == ["sessionStorage"] * 3
    assert "sessionStorage.removeItem(PENDING_KEY)" in script
    assert "innerHTML" not in script and "eval(" not in script and "document.write" not in script
    assert "code_challenge_method: 'S256'" in script


def test_a_page_holding_vtl_syntax_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    original = site.source
    monkeypatch.setattr(site, "source", lambda name: original(name) + ("/* price: $5 */" if name == "page.js" else ""))
    with pytest.raises(ValueError, match=r"holds \$: API Gateway's VTL template would alter it"):
        site.render(SETTINGS)


@pytest.mark.parametrize(
    "change, why",
    [
        ({"token_url": "http://login.example.com/token"}, "not an https URL"),
        ({"authorize_url": "https://login.example.com/authorize?x=1"}, "not an https URL"),
        ({"logout_url": "https://login.example.com/logout; script-src *"}, "cannot carry"),
        ({"token_url": "https://login.example.com/t'oken"}, "cannot carry"),
        ({"scopes": ("email",)}, "must include openid"),
        ({"client_id": "a b"}, "client id"),
        ({"issuer": "https://x/$y"}, "issuer"),
        ({"stage": "dev/x"}, "stage"),
    ],
)
def test_bad_settings_are_refused(change: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        site.render(replace(SETTINGS, **change))


def test_loopback_http_is_allowed_for_the_tests_identity_provider_only() -> None:
    local = replace(
        SETTINGS, authorize_url="http://127.0.0.1:8123/oauth2/authorize", token_url="http://127.0.0.1:8123/t"
    )
    assert "connect-src 'self' http://127.0.0.1:8123/t;" in site.render(local).headers["Content-Security-Policy"]


# --------------------------------------------------------------------------- access_identity

COGNITO = CognitoArgs(
    pool_name="people",
    password_minimum_length=14,
    access_token_validity_minutes=15,
    allow_password_auth=False,
    deletion_protection=True,
    domain_prefix="corp-login",
)
CHECKS = TokenChecks(username_claim="username", leeway_seconds=0)
PAGE_URL = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/"


def test_cognito_gets_managed_login_and_a_code_flow_back_to_the_page(graph: Graph) -> None:
    made: list[Identity] = []

    def build() -> Parent:
        def make(parent: Any) -> Identity:
            made.append(
                Identity(
                    "access",
                    IdentityArgs(region=REGION, provider=COGNITO, checks=CHECKS, page_url=PAGE_URL),
                    parent=parent,
                )
            )
            return made[0]

        return Parent(make)

    graph.build(build)
    client = graph.one("aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert client["allowedOauthFlows"] == ["code"] and client["allowedOauthFlowsUserPoolClient"] is True
    assert client["callbackUrls"] == client["logoutUrls"] == [PAGE_URL]
    assert client["supportedIdentityProviders"] == ["COGNITO"] and client["generateSecret"] is False
    assert client["allowedOauthScopes"] == ["openid", "email", "profile"]
    assert "implicit" not in client["allowedOauthFlows"]
    domain = graph.one("aws:cognito/userPoolDomain:UserPoolDomain", "access-domain").inputs
    assert domain["domain"] == "corp-login" and domain["managedLoginVersion"] == 2
    sign_in = made[0].sign_in
    assert sign_in is not None and sign_in.provider == "cognito"
    host = "corp-login.auth.us-east-1.amazoncognito.com"
    assert (sign_in.authorize_url, sign_in.token_url) == (
        f"https://{host}/oauth2/authorize",
        f"https://{host}/oauth2/token",
    )
    assert sign_in.hosts == [host]


def test_cognito_without_a_domain_prefix_has_no_oauth_and_no_page(graph: Graph) -> None:
    made: list[Identity] = []
    args = IdentityArgs(region=REGION, provider=replace(COGNITO, domain_prefix=None), checks=CHECKS)
    graph.build(lambda: Parent(lambda parent: made.append(Identity("access", args, parent=parent)) or made[0]))
    client = graph.one("aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert client["allowedOauthFlowsUserPoolClient"] is False and "allowedOauthFlows" not in client
    assert graph.of_type("aws:cognito/userPoolDomain:UserPoolDomain") == [] and made[0].sign_in is None


def test_a_domain_prefix_without_the_pages_url_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="needs the sign-in page's URL"):
        Identity._cognito("access", COGNITO, None, parent=None)  # type: ignore[arg-type]


def test_an_oidc_issuers_endpoints_are_passed_through(graph: Graph) -> None:
    oidc = OidcArgs(
        issuer="https://login.example.com/t",
        client_ids=("cli", "page"),
        authorization_endpoint="https://login.example.com/t/authorize",
        token_endpoint="https://login.example.com/t/token",
        page_client_id="page",
    )
    made: list[Identity] = []
    args = IdentityArgs(region=REGION, provider=oidc, checks=replace(CHECKS, username_claim="sub"))
    graph.build(lambda: Parent(lambda parent: made.append(Identity("access", args, parent=parent)) or made[0]))
    sign_in = made[0].sign_in
    assert sign_in is not None and (sign_in.provider, sign_in.client_id, sign_in.username_claim) == (
        "oidc",
        "page",
        "sub",
    )
    assert sign_in.logout_url is None and sign_in.hosts == ["login.example.com"]
    assert made[0].sign_in is not None and graph.of_type("aws:cognito/userPool:UserPool") == []


# --------------------------------------------------------------------------- access_api

SIGN_IN = SignInEndpoints(
    provider="cognito",
    authorize_url=SETTINGS.authorize_url,
    token_url=SETTINGS.token_url,
    logout_url=SETTINGS.logout_url,
    client_id=SETTINGS.client_id,
    issuer=SETTINGS.issuer,
    username_claim="username",
    scopes=SETTINGS.scopes,
    hosts=["corp-login.auth.us-east-1.amazoncognito.com"],
)


def test_the_api_serves_the_page_at_its_root_without_authorizer(graph: Graph) -> None:
    graph.build(lambda: Parent(lambda parent: PrivateApi("access", replace(ARGS, sign_in=SIGN_IN), parent=parent)))
    api = graph.one("aws:apigateway/restApi:RestApi", "access-api")
    method = graph.one("aws:apigateway/method:Method", "access-get-page").inputs
    assert (method["httpMethod"], method["authorization"]) == ("GET", "NONE")
    assert method["resourceId"] == api.outputs["rootResourceId"]
    assert graph.one("aws:apigateway/integration:Integration", "access-get-page").inputs["type"] == "MOCK"
    answer = graph.one("aws:apigateway/integrationResponse:IntegrationResponse", "access-get-page").inputs
    page = site.render(SETTINGS)
    assert answer["responseTemplates"] == {"text/html": page.html}
    assert answer["responseParameters"] == {f"method.response.header.{k}": f"'{v}'" for k, v in page.headers.items()}


def test_no_sign_in_no_page(graph: Graph) -> None:
    graph.build(lambda: Parent(lambda parent: PrivateApi("access", ARGS, parent=parent)))
    methods = graph.of_type("aws:apigateway/method:Method")
    assert sorted(m.name for m in methods) == ["access-get-targets", "access-get-user"]
