"""The sign-in page in the offline plan (issue 15 item 4): GET / without authorizer, a MOCK
integration serving `components/site`'s page with its headers; Cognito's managed login domain
and the app client's code flow back to the page alone; the outputs; the OIDC variant."""

from __future__ import annotations

import json
import re

import pytest

from components import outputs, site
from components.config.shared import default_domain_prefix
from tests.conftest import one, resources

METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
REST_API = "aws:apigateway/restApi:RestApi"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain"
BRANDING = "aws:cognito/managedLoginBranding:ManagedLoginBranding"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"


@pytest.fixture
def shared(planned):
    return planned["shared"]


def _page_url(result) -> str:
    return result.outputs[outputs.API_URL] + "/"


def test_the_page_is_get_on_the_root_without_authorizer_and_reaches_no_function(shared):
    api = one(shared, REST_API, "access-api")
    method = one(shared, METHOD, "access-get-page").inputs
    assert method["httpMethod"] == "GET" and method["authorization"] == "NONE" and "authorizerId" not in method
    assert method["resourceId"] == api.outputs["rootResourceId"]
    integration = one(shared, INTEGRATION, "access-get-page").inputs
    assert integration["type"] == "MOCK" and "uri" not in integration
    assert integration["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert integration["passthroughBehavior"] == "NEVER"
    # every other method has the authorizer
    others = [r.inputs for r in resources(shared, METHOD) if r.name != "access-get-page"]
    assert others and all(m["authorization"] == "CUSTOM" and m["authorizerId"] for m in others)
    assert shared.violations == []


def test_the_page_and_its_headers_are_what_components_site_renders(shared):
    client = one(shared, CLIENT, "access-client")
    answer = one(shared, INTEGRATION_RESPONSE, "access-get-page").inputs
    declared = one(shared, METHOD_RESPONSE, "access-get-page").inputs
    assert answer["statusCode"] == declared["statusCode"] == "200"
    assert declared["responseParameters"] == {f"method.response.header.{h}": True for h in site.HEADER_NAMES}
    [(media, html)] = answer["responseTemplates"].items()
    assert media == "text/html" and "$" not in html and "#" not in html  # VTL passes it through unchanged
    headers = {k.removeprefix("method.response.header."): v for k, v in answer["responseParameters"].items()}
    assert all(v.startswith("'") and v.endswith("'") for v in headers.values())  # static values
    headers = {k: v[1:-1] for k, v in headers.items()}
    host = f"{default_domain_prefix('shared', shared.outputs[outputs.ACCOUNT_ID])}.auth.us-east-1.amazoncognito.com"
    expected = site.render(
        site.PageSettings(
            provider="cognito",
            authorize_url=f"https://{host}/oauth2/authorize",
            token_url=f"https://{host}/oauth2/token",
            logout_url=f"https://{host}/logout",
            client_id=client.id,
            issuer=shared.outputs[outputs.TOKEN_ISSUER],
            username_claim="username",
            scopes=("openid", "email", "profile"),
            stage="dev",
        )
    )
    assert html == expected.html and headers == expected.headers
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; script-src 'sha256-")
    assert f"connect-src 'self' https://{host}/oauth2/token;" in csp and f"form-action https://{host};" in csp
    assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp and "unsafe" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store" and headers["Content-Type"] == "text/html; charset=utf-8"
    config = json.loads(re.search(r'id="studio-access-config">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert config["clientId"] == client.id and config["basePath"] == "/dev/"


def test_a_new_page_is_a_new_deployment(shared, project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(signInScopes=["openid", "email"]))
    again = project.plan(["shared"])["shared"]
    before = one(shared, DEPLOYMENT, "access-api").inputs["triggers"]
    after = one(again, DEPLOYMENT, "access-api").inputs["triggers"]
    assert before != after
    deployment = one(shared, DEPLOYMENT, "access-api")
    page = [one(shared, t, "access-get-page").urn for t in (METHOD, INTEGRATION, METHOD_RESPONSE, INTEGRATION_RESPONSE)]
    assert set(page) <= set(deployment.dependencies)


def test_cognito_managed_login_domain_and_the_clients_code_flow_back_to_the_page_alone(shared):
    pool = one(shared, "aws:cognito/userPool:UserPool", "access-users")
    domain = one(shared, DOMAIN, "access-domain").inputs
    prefix = default_domain_prefix("shared", shared.outputs[outputs.ACCOUNT_ID])
    assert domain == {"domain": prefix, "userPoolId": pool.id, "managedLoginVersion": 2}
    client = one(shared, CLIENT, "access-client")
    inputs = client.inputs
    assert inputs["allowedOauthFlows"] == ["code"] and inputs["allowedOauthFlowsUserPoolClient"] is True
    assert inputs["allowedOauthScopes"] == ["openid", "email", "profile"]
    assert inputs["callbackUrls"] == inputs["logoutUrls"] == [_page_url(shared)]
    assert inputs["supportedIdentityProviders"] == ["COGNITO"] and inputs["generateSecret"] is False
    branding = one(shared, BRANDING, "access-login-style").inputs
    assert branding == {"userPoolId": pool.id, "clientId": client.id, "useCognitoProvidedValues": True}
    # the client waits for the API (its callback); the API does not wait for the client
    api = one(shared, REST_API, "access-api")
    assert api.urn in client.dependencies and client.urn not in api.dependencies


def test_outputs_name_the_page_and_the_hosts_a_browser_reaches(shared):
    page = _page_url(shared)
    assert page.startswith("https://") and page.endswith(".execute-api.us-east-1.amazonaws.com/dev/")
    assert shared.outputs[outputs.SIGN_IN_URL] == page
    host = f"{default_domain_prefix('shared', shared.outputs[outputs.ACCOUNT_ID])}.auth.us-east-1.amazoncognito.com"
    assert shared.outputs[outputs.SIGN_IN_HOSTS] == [page.split("/")[2], host]


def test_a_domain_prefix_from_config(project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(domainPrefix="corp-studio-login"))
    result = project.plan(["shared"])["shared"]
    assert one(result, DOMAIN, "access-domain").inputs["domain"] == "corp-studio-login"
    assert result.outputs[outputs.SIGN_IN_HOSTS][1] == "corp-studio-login.auth.us-east-1.amazoncognito.com"


@pytest.mark.parametrize(
    "prefix, why",
    [("My-Login", "not a valid Cognito domain prefix"), ("aws-login", "holds aws"), ("-x", "not a valid")],
)
def test_a_bad_domain_prefix_is_refused_naming_the_key(project, prefix, why):
    project.edit("shared", lambda c: c["studio-access:identity"].update(domainPrefix=prefix))
    problems = project.problems("shared")
    assert any("identity" in key and why in message for _, key, message in problems), problems
    assert any("domainPrefix" in key + message for _, key, message in problems), problems


def test_default_domain_prefix_keeps_within_cognitos_rules():
    assert default_domain_prefix("shared", "111111111111") == "studio-access-shared-111111111111"
    long = default_domain_prefix("Amazon_Cognito." + "x" * 80, "222222222222")
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", long) and long.endswith("-222222222222")
    assert not any(w in long for w in ("aws", "amazon", "cognito"))


OIDC = {
    "provider": "oidc",
    "issuer": "https://login.example.com/tenant",
    "clientIds": ["studio-cli", "studio-page"],
    "authorizationEndpoint": "https://login.example.com/tenant/authorize",
    "tokenEndpoint": "https://token.example.com/tenant/token",
    "endSessionEndpoint": "https://login.example.com/tenant/logout",
    "pageClientId": "studio-page",
    "usernameClaim": "sub",
}


def _oidc(project, **identity):
    def edit(cfg):
        cfg["studio-access:identity"] = {**OIDC, **identity}
        for user in cfg.get("studio-access:users", []):
            user.pop("email", None)

    project.edit("shared", edit)


def test_an_oidc_issuers_endpoints_make_the_page(project):
    _oidc(project)
    result = project.plan(["shared"])["shared"]
    assert resources(result, DOMAIN) == [] and resources(result, CLIENT) == []
    html = one(result, INTEGRATION_RESPONSE, "access-get-page").inputs["responseTemplates"]["text/html"]
    config = json.loads(re.search(r'id="studio-access-config">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert config["provider"] == "oidc" and config["clientId"] == "studio-page" and config["usernameClaim"] == "sub"
    assert config["authorizeUrl"] == OIDC["authorizationEndpoint"] and config["tokenUrl"] == OIDC["tokenEndpoint"]
    assert config["issuer"] == OIDC["issuer"] and config["logoutUrl"] == OIDC["endSessionEndpoint"]
    assert result.outputs[outputs.SIGN_IN_HOSTS][1:] == ["login.example.com", "token.example.com"]
    assert result.violations == []


def test_an_oidc_issuer_without_endpoints_has_no_page(project):
    _oidc(project, authorizationEndpoint=None, tokenEndpoint=None, endSessionEndpoint=None, pageClientId=None)
    result = project.plan(["shared"])["shared"]
    assert sorted(r.name for r in resources(result, METHOD)) == ["access-get-targets", "access-get-user"]
    assert outputs.SIGN_IN_URL not in result.outputs and result.violations == []


@pytest.mark.parametrize(
    "identity, why",
    [
        ({"tokenEndpoint": None}, "tokenEndpoint is missing"),
        ({"pageClientId": None}, "needs pageClientId"),
        ({"pageClientId": "someone-else"}, "not in clientIds"),
        ({"authorizationEndpoint": "https://login.example.com/authorize?p=x"}, "https URL without query"),
        ({"domainPrefix": "corp-login"}, "only for provider cognito"),
        ({"signInScopes": ["profile"]}, "must include openid"),
    ],
)
def test_a_half_configured_oidc_page_is_refused_naming_the_key(project, identity, why):
    _oidc(project, **identity)
    problems = project.problems("shared")
    assert any(why in message for _, _, message in problems), problems
