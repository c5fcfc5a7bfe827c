"""The sign-in page in a real browser (issue 15 item 5): headless Chromium against the end-to-end
world, the page served by the test gateway exactly as `components/site` renders it for the
MOCK integration, the real authorizer and presigned-URL function behind `/targets` and
`/{user}`, and a local OpenID Connect provider (`browser/idp.py`) playing Cognito's managed login.

- A person with two LOBs (by their Cognito groups) signs in, sees both LOBs and their spaces,
  opens one, and lands on the presigned URL: Chromium reaches `browser/studio.py` for Studio's
  host and the test reads the request it made.
- A person with no entitlement sees a clear message.
- A tampered state, a tampered code, an ID token for another sign-in (nonce) and a callback the
  page never asked for are refused, and no token is kept.
- Tokens stay in memory: nothing in localStorage, sessionStorage or cookies, no code or state
  left in the address bar.

The test writes docs/img/sign-in.png (linked from docs/sign-in.md): the page after sign-in.
Chromium and chromedriver come from the machine's packages (`browser/chromium.py`); without them
the test fails with the command that installs them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest
from moto.utilities.utils import load_resource

from components import site
from components.paths import PROJECT_DIR
from contracts import tables
from testkit.aws import LOBS_TABLE
from testkit.tokens import rsa_key_from_jwk

from .browser import chromium as chromium_module
from .browser.chromium import chromium
from .browser.idp import OidcStub
from .browser.studio import FakeStudio
from .conftest import LOBS, PASSWORD, SPACES, domain_id
from .gateway import Reply

SCREENSHOT = PROJECT_DIR / "docs" / "img" / "sign-in.png"
TWO_LOBS = "user-two-lobs"  # in groups team-a and team-b: lob-a and lob-b
NO_LOB = "user-nolob"  # in the pool, no group, no users-table row
GROUPS = {"studio-team-a": ["lob-a"], "studio-team-b": ["lob-b"]}
WAIT = 15  # seconds, for each step in the browser


# --------------------------------------------------------------------------- the world, the provider, the browser


@pytest.fixture(scope="module")
def people(world) -> None:
    """user-two-lobs: a Cognito user in two groups mapped to lob-a and lob-b, with a profile in
    both domains and two spaces of lob-b (a shared one and their own private one)."""
    idp = world.idp()
    idp.admin_create_user(UserPoolId=world.pool_id, Username=TWO_LOBS, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=world.pool_id, Username=TWO_LOBS, Password=PASSWORD, Permanent=True)
    for group in GROUPS:
        with contextlib.suppress(idp.exceptions.GroupExistsException):  # the world may have made it
            idp.create_group(UserPoolId=world.pool_id, GroupName=group)
        idp.admin_add_user_to_group(UserPoolId=world.pool_id, Username=TWO_LOBS, GroupName=group)
    ddb = world.admin.client("dynamodb", world.endpoint)
    found = ddb.get_item(TableName=LOBS_TABLE, Key={tables.KEY: {tables.STRING: tables.GROUPS_ITEM_KEY}}).get("Item")
    mapping = dict(tables.parse_group_map(found[tables.GROUPS_ATTRIBUTE][tables.STRING])) if found else {}
    ddb.put_item(TableName=LOBS_TABLE, Item=tables.typed(tables.group_map_item({**mapping, **GROUPS})))
    for lob in ("lob-a", "lob-b"):
        world.fakes.profiles[(LOBS[lob][0], domain_id(lob))].add(TWO_LOBS)
    account = LOBS["lob-b"][0]
    world.fakes.spaces[(account, domain_id("lob-b"), "twos-notebook")] = ("Private", TWO_LOBS)
    assert "team-space" in SPACES  # the domain's shared space, which every entitled person sees


def _check_password(world: Any, username: str, password: str) -> bool:
    """Cognito (moto) checks the password, as the managed login would."""
    try:
        answer = world.idp().initiate_auth(
            ClientId=world.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except Exception:
        return False
    return "AuthenticationResult" in answer


def _groups(world: Any, username: str) -> list[str]:
    found = world.idp().admin_list_groups_for_user(UserPoolId=world.pool_id, Username=username)["Groups"]
    return sorted(g["GroupName"] for g in found)


@pytest.fixture(scope="module")
def provider(world, people) -> Iterator[OidcStub]:
    """The identity provider, and the page rendered for it and served at GET /<stage>/."""
    page_url = world.api_url + "/"
    stub = OidcStub(
        key=rsa_key_from_jwk(load_resource("cognitoidp/resources/jwks-private.json")),  # moto's: its JWKS has it
        issuer=world.issuer,
        client_id=world.client_id,
        redirect_uris=(page_url,),
        check_password=lambda username, password: _check_password(world, username, password),
        groups_of=lambda username: _groups(world, username),
    ).start()
    page = site.render(
        site.PageSettings(
            provider="cognito",
            authorize_url=stub.authorize_url,
            token_url=stub.token_url,
            logout_url=stub.logout_url,
            client_id=world.client_id,
            issuer=world.issuer,
            username_claim="username",
            scopes=("openid", "email", "profile"),
            stage=world.gateway.stage,
        )
    )
    world.gateway.page = Reply(200, page.headers, page.html.encode())
    try:
        yield stub
    finally:
        world.gateway.page = None
        stub.stop()


@pytest.fixture(scope="module")
def studio() -> Iterator[FakeStudio]:
    fake = FakeStudio("*.studio.us-east-1.sagemaker.aws").start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def browser(studio) -> Iterator[Any]:
    started = time.monotonic()
    with chromium(*studio.chromium_flags()) as driver:
        print(f"chromium started in {time.monotonic() - started:.1f} s")
        yield driver


@pytest.fixture
def page(world, provider, browser) -> Iterator[Any]:
    """A fresh start: a blank tab with no state of an earlier test."""
    browser.get("about:blank")
    browser.delete_all_cookies()
    provider.tamper = None
    yield browser


# --------------------------------------------------------------------------- driving the page


def _wait(driver: Any, condition: Any, what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(condition)
    except Exception:
        raise AssertionError(
            f"{what}: gave up after {WAIT} s at {driver.current_url}; page: {_status(driver)!r}"
        ) from None


def _status(driver: Any) -> tuple[str, str] | None:
    try:
        found = driver.execute_script(
            "var s = document.getElementById('status'); return s ? [s.getAttribute('data-kind'), s.textContent] : null"
        )
    except Exception:
        return None
    return (found[0], found[1]) if found else None


def _by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def _css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def open_page(driver: Any, world: Any) -> None:
    driver.get(world.api_url + "/")
    _wait(driver, lambda d: (_status(d) or ["", ""])[1].startswith("Sign in to see"), "the page offers to sign in")


def sign_in(driver: Any, world: Any, provider: OidcStub, username: str, password: str = PASSWORD) -> None:
    """From the page to the provider's form and back; returns once the page has settled."""
    open_page(driver, world)
    _by_id(driver, "sign-in").click()
    _wait(driver, lambda d: d.current_url.startswith(provider.authorize_url), "the provider's sign-in form")
    _by_id(driver, "username").send_keys(username)
    _by_id(driver, "password").send_keys(password)
    _by_id(driver, "submit").click()
    page_url = world.api_url + "/"
    _wait(driver, lambda d: d.current_url.startswith(page_url), "back on the page")
    _wait(
        driver,
        lambda d: (
            (_status(d) or ["info", ""])[0] in ("warn", "error") or _status(d) == ("info", "Choose what to open.")
        ),
        "the page settles",
    )


def _storage(driver: Any) -> dict[str, Any]:
    return driver.execute_script(
        "return {local: window.localStorage.length, session: window.sessionStorage.length, cookie: document.cookie}"
    )


def _signed_in(driver: Any) -> bool:
    return not _by_id(driver, "who").get_attribute("hidden")


def _csp_violations(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e.get("message", "")]


# --------------------------------------------------------------------------- the tests


def test_the_page_is_served_without_authorizer_with_its_headers(world, provider):
    with urlopen(world.api_url + "/", timeout=10) as answer:
        headers, body = answer.headers, answer.read().decode()
    assert answer.status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    assert (
        csp.startswith("default-src 'none'; script-src 'sha256-") and f"connect-src 'self' {provider.token_url};" in csp
    )
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store" and "studio-access-config" in body
    assert world.gateway.authorizer_calls == 0  # no Authorization header, no authorizer: the page only


def test_a_person_with_two_lobs_signs_in_sees_both_and_lands_on_the_presigned_url(world, provider, studio, page):
    started = time.monotonic()
    sign_in(page, world, provider, TWO_LOBS)
    assert _status(page) == ("info", "Choose what to open."), _status(page)
    assert _by_id(page, "username").text == TWO_LOBS
    cards = {c.get_attribute("data-lob"): c for c in _css(page, "article.lob")}
    assert sorted(cards) == ["lob-a", "lob-b"]
    spaces = {li.get_attribute("data-space") for li in _css(page, "article[data-lob='lob-b'] li")}
    assert {"team-space", "twos-notebook"} <= spaces and "someone-elses" not in spaces

    # PKCE S256 on the way out, the verifier on the way back; the code and state gone from the URL
    asked = provider.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["redirect_uri"] == world.api_url + "/" and asked["scope"] == "openid email profile"
    assert 43 <= len(provider.token_requests[-1]["code_verifier"]) <= 128
    assert page.current_url == world.api_url + "/"
    assert _storage(page) == {"local": 0, "session": 0, "cookie": ""}  # tokens in memory only
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.save_screenshot(str(SCREENSHOT))

    before = len(studio.requests)
    [open_button] = _css(page, "article[data-lob='lob-b'] li[data-space='team-space'] button")
    open_button.click()
    _wait(page, lambda d: d.current_url.startswith("https://"), "Studio's page")
    _wait(page, lambda d: len(studio.requests) > before, "the request Studio's host received")
    host, path = studio.requests[before]  # the navigation (a favicon request may follow)
    presigned = world.fakes.presigned_calls[-1]
    assert (presigned["account"], presigned["DomainId"], presigned["UserProfileName"]) == (
        LOBS["lob-b"][0],
        domain_id("lob-b"),
        TWO_LOBS,
    )
    assert presigned["SpaceName"] == "team-space" and presigned["ExpiresInSeconds"] == 20
    query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    assert host == f"{domain_id('lob-b')}.studio.us-east-1.sagemaker.aws"
    assert query == {
        "token": "e2e",
        "account": LOBS["lob-b"][0],
        "domain": domain_id("lob-b"),
        "profile": TWO_LOBS,
        "space": "team-space",
    }
    assert page.current_url == f"https://{host}{path}"  # the browser is on the presigned URL
    assert _csp_violations(page) == []
    print(f"two LOBs: signed in, listed and opened in {time.monotonic() - started:.1f} s")


def test_a_person_with_no_entitlement_sees_a_clear_message(world, provider, page):
    sign_in(page, world, provider, NO_LOB)
    kind, text = _status(page)
    assert kind == "warn" and "signed in as user-nolob" in text and "not entitled to open any SageMaker Studio" in text
    assert _css(page, "article.lob") == [] and _signed_in(page)


def test_sign_out_forgets_the_token_and_ends_the_providers_session(world, provider, page):
    sign_in(page, world, provider, TWO_LOBS)
    assert _signed_in(page)
    _by_id(page, "sign-out").click()
    _wait(page, lambda d: (_status(d) or ["", ""])[1].startswith("Sign in to see"), "signed out, back on the page")
    assert provider.logout_requests[-1] == {"client_id": world.client_id, "logout_uri": world.api_url + "/"}
    assert not _signed_in(page) and _css(page, "article.lob") == []


def test_a_wrong_password_stays_at_the_provider(world, provider, page):
    open_page(page, world)
    _by_id(page, "sign-in").click()
    _wait(page, lambda d: d.current_url.startswith(provider.authorize_url), "the provider's sign-in form")
    _by_id(page, "username").send_keys(TWO_LOBS)
    _by_id(page, "password").send_keys("not-the-password")
    _by_id(page, "submit").click()
    _wait(page, lambda d: _css(d, "p.error"), "the provider's error")
    assert page.current_url.startswith(provider.url)


@pytest.mark.parametrize(
    "tamper, why, exchanged",
    [
        ("state", "does not belong to the sign-in this page started (state)", False),
        ("code", "did not accept the sign-in code", True),
        ("nonce", "does not answer this sign-in (nonce)", True),
    ],
)
def test_a_tampered_answer_is_refused_and_nothing_is_kept(world, provider, page, tamper, why, exchanged):
    exchanges, refusals = len(provider.token_requests), len(provider.token_refusals)
    provider.tamper = tamper
    sign_in(page, world, provider, TWO_LOBS)
    kind, text = _status(page)
    assert kind == "error" and text.startswith("Sign-in refused: ") and why in text, text
    assert not _signed_in(page) and _css(page, "article.lob") == []
    assert len(provider.token_requests) == exchanges + exchanged  # a wrong state never reaches the token endpoint
    if tamper == "code":
        assert provider.token_refusals[refusals:] == ["unknown, used or expired code"]
    assert page.current_url == world.api_url + "/" and _storage(page) == {"local": 0, "session": 0, "cookie": ""}


def test_a_callback_the_page_did_not_start_is_refused(world, provider, page):
    exchanges = len(provider.token_requests)
    page.get(world.api_url + "/?code=injected-code&state=injected-state")
    _wait(page, lambda d: (_status(d) or ["info"])[0] == "error", "the refusal")
    assert "this page did not start that sign-in" in _status(page)[1]
    assert len(provider.token_requests) == exchanges and page.current_url == world.api_url + "/"


def test_the_screenshot_is_in_the_docs():
    assert SCREENSHOT.is_file() and SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "img/sign-in.png" in (PROJECT_DIR / "docs" / "sign-in.md").read_text()


def test_a_machine_without_chromium_fails_the_test_naming_the_install(monkeypatch):
    """Never a skip: CI on a machine where the install could not run must go red, saying why."""
    for name in ("STUDIO_ACCESS_CHROMIUM", "STUDIO_ACCESS_CHROMEDRIVER", "CHROMEWEBDRIVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(chromium_module.shutil, "which", lambda name: None)
    with pytest.raises(
        pytest.fail.Exception, match=r"needs Chromium and chromedriver.*apt-get install -y chromium chromium-driver"
    ):
        chromium_module.binaries()
    monkeypatch.setenv("STUDIO_ACCESS_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(
        pytest.fail.Exception, match="STUDIO_ACCESS_CHROMIUM=/nonexistent/chromium is not an executable"
    ):
        chromium_module.binaries()
