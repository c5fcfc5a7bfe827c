"""The commands, with Cognito and the API replaced through `Io` (no network)."""

from __future__ import annotations

import base64
import io
import json
import stat
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from fakes import Idp
from studio_access_client import api, cli
from studio_access_client import session as sessions
from studio_access_client.config import parse_config

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1"
CONFIG = {
    "apiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev",
    "region": "us-east-1",
    "userPoolId": "us-east-1_Pool1",
    "clientId": "client1",
    "identityProvider": "cognito",
    "tokenIssuer": ISSUER,
}
NOW = 1_800_000_000


def token(username="alice", exp=NOW + 3600, iss=ISSUER, n=0):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'RS256'})}.{enc({'iss': iss, 'client_id': 'client1', 'username': username, 'exp': exp, 'n': n})}.c2ln"


class Api:
    def __init__(self, *answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, url, bearer):
        self.calls.append((url, bearer))
        return self.answers.pop(0)


REDIRECT = api.Response(302, {"location": "https://d-abc.studio.us-east-1.sagemaker.aws/auth?token=t"}, b"")
UNAUTHORIZED = api.Response(401, {"x-amzn-errortype": "UnauthorizedException"}, b'{"message":"Unauthorized"}')


@pytest.fixture
def env(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    return {"STUDIO_ACCESS_CONFIG": str(tmp_path / "config.json"), "STUDIO_ACCESS_CACHE_DIR": str(tmp_path / "cache")}


def make_io(env, idp=None, http=None, secrets=(), stdin="", browser=None):
    answers = list(secrets)
    return cli.Io(
        env=env,
        out=io.StringIO(),
        err=io.StringIO(),
        stdin=io.StringIO(stdin),
        getpass=lambda p: answers.pop(0),
        input=lambda p: answers.pop(0),
        browser=browser or (lambda url: True),
        now=lambda: NOW,
        make_idp=lambda cfg: idp,
        http_get=http or Api(),
        platform="linux",
    )


def run(io_, *argv):
    return cli.main(list(argv), io_), io_.out.getvalue(), io_.err.getvalue()


def cache_file(env):
    (path,) = Path(env["STUDIO_ACCESS_CACHE_DIR"]).glob("session-*.json")
    return path


def logged_in(env, access=None, refresh="r1"):
    path = sessions.cache_file(Path(env["STUDIO_ACCESS_CACHE_DIR"]), parse_config(CONFIG, "t"))
    sessions.save(path, sessions.session_from_tokens(access or token(), refresh))
    return path


def result(access, refresh=None):
    return {"AuthenticationResult": {"AccessToken": access, **({"RefreshToken": refresh} if refresh else {})}}


def test_login_with_password_auth_keeps_the_session(env):
    idp = Idp(result(token(), "r1"))
    code, _, err = run(make_io(env, idp, secrets=["alice", "pw"]), "login", "--flow", "password")
    assert code == 0 and "Logged in as alice" in err and "renewed automatically" in err
    s = sessions.load(cache_file(env))
    assert (s.username, s.refresh_token) == ("alice", "r1")
    assert stat.S_IMODE(cache_file(env).stat().st_mode) == 0o600
    assert "pw" not in cache_file(env).read_text()


def test_login_from_stdin_answers_the_new_password_from_the_next_line(env):
    idp = Idp(
        {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s", "ChallengeParameters": {}}, result(token(), "r1")
    )
    code, _, err = run(
        make_io(env, idp, stdin="temp\nN3w-pass\n"), "login", "-u", "alice", "--flow", "password", "--password-stdin"
    )
    assert code == 0, err
    assert idp.calls[1][1]["ChallengeResponses"]["NEW_PASSWORD"] == "N3w-pass"
    code, _, err = run(
        make_io(env, Idp({"ChallengeName": "NEW_PASSWORD_REQUIRED", "ChallengeParameters": {}}), stdin="temp\n"),
        "login",
        "-u",
        "alice",
        "--flow",
        "password",
        "--password-stdin",
    )
    assert code == 2 and "expected a new password" in err


def test_new_password_typed_twice_must_match(env):
    idp = Idp({"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s", "ChallengeParameters": {}})
    code, _, err = run(make_io(env, idp, secrets=["temp", "one", "two"]), "login", "-u", "alice", "--flow", "password")
    assert code == 3 and "differ" in err


def test_login_refuses_a_token_from_another_issuer(env):
    idp = Idp(result(token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"), "r"))
    code, _, err = run(make_io(env, idp, secrets=["pw"]), "login", "-u", "alice", "--flow", "password")
    assert code == 2 and "names tokenIssuer" in err


def test_login_with_token_from_stdin(env):
    code, _, err = run(make_io(env, stdin=token("bob") + "\n"), "login", "--token-stdin")
    assert code == 0 and "Logged in as bob" in err and "renewed" not in err
    code, _, err = run(make_io(env, stdin="garbage\n"), "login", "--token-stdin")
    assert code == 2 and "not an access token" in err


def test_open_prints_or_opens_the_url(env):
    logged_in(env)
    http = Api(REDIRECT, REDIRECT, REDIRECT)
    code, out, err = run(make_io(env, http=http), "open", "--print", "--space", "s1")
    assert code == 0 and out == REDIRECT.headers["location"] + "\n" and "20 seconds" in err
    assert http.calls[0] == (CONFIG["apiUrl"] + "/alice?space=s1", token())
    opened = []
    code, out, err = run(make_io(env, http=http, browser=lambda u: opened.append(u) or True), "open")
    assert code == 0 and out == "" and opened == [REDIRECT.headers["location"]]
    code, out, err = run(make_io(env, http=http, browser=lambda u: False), "open")
    assert code == 0 and out.strip() == REDIRECT.headers["location"] and "No browser" in err


def test_open_refreshes_an_expiring_token_first(env):
    path = logged_in(env, access=token(exp=NOW + 30))
    idp, http = Idp(result(token(n=1))), Api(REDIRECT)
    code, _, err = run(make_io(env, idp, http), "open", "--print")
    assert code == 0, err
    assert idp.calls[0][1]["AuthFlow"] == "REFRESH_TOKEN_AUTH"
    assert http.calls[0][1] == token(n=1)
    assert sessions.load(path).access_token == token(n=1) and sessions.load(path).refresh_token == "r1"


def test_open_refreshes_once_on_401_then_gives_up(env):
    logged_in(env)
    idp, http = Idp(result(token(n=1))), Api(UNAUTHORIZED, REDIRECT)
    assert run(make_io(env, idp, http), "open", "--print")[0] == 0
    assert [c[1] for c in http.calls] == [token(), token(n=1)]
    idp, http = Idp(result(token(n=2))), Api(UNAUTHORIZED, UNAUTHORIZED)
    code, _, err = run(make_io(env, idp, http), "open", "--print")
    assert code == 3 and "did not accept your session" in err and len(http.calls) == 2


def test_open_without_a_session(env):
    code, _, err = run(make_io(env), "open")
    assert code == 3 and "not logged in. Run `studio-access login` first." in err
    logged_in(env, access=token(exp=NOW - 10), refresh=None)
    code, _, err = run(make_io(env), "open")
    assert code == 3 and "session has expired" in err


def test_whoami_and_logout(env):
    path = logged_in(env)
    code, out, err = run(make_io(env), "whoami")
    assert code == 0 and out == "alice\n" and "valid until" in err
    idp = Idp(Exception("network down"))
    code, _, err = run(make_io(env, idp), "logout")
    assert code == 0 and "warning: could not revoke" in err and not path.exists()
    path = logged_in(env)
    idp = Idp({})
    assert run(make_io(env, idp), "logout")[0] == 0
    assert idp.calls == [("revoke", {"Token": "r1", "ClientId": "client1"})] and not path.exists()
    code, _, err = run(make_io(env), "logout")
    assert code == 0 and "nothing to do" in err
    logged_in(env, access=token(exp=NOW - 10))
    code, out, err = run(make_io(env), "whoami")
    assert code == 0 and out == "alice\n" and "expired at" in err and "renewed automatically" in err


def test_config_problems_exit_2(env, tmp_path):
    code, _, err = run(make_io({**env, "STUDIO_ACCESS_CONFIG": str(tmp_path / "missing.json")}), "whoami")
    assert code == 2 and "no config file at" in err and "(STUDIO_ACCESS_CONFIG)" in err
    (tmp_path / "bad.json").write_text(json.dumps({**CONFIG, "region": "nowhere"}))
    code, _, err = run(make_io(env), "--config", str(tmp_path / "bad.json"), "whoami")
    assert code == 2 and "region: 'nowhere'" in err


def test_usage(env, capsys):
    assert run(make_io(env), "open", "--bogus")[0] == 2
    assert run(make_io(env))[0] == 2
    assert run(make_io(env), "--help")[0] == 0
    assert "exit codes:" in capsys.readouterr().out


def test_first_sign_in_sets_a_password_and_enrols_an_authenticator_from_stdin(env):
    idp = Idp(
        {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s1", "ChallengeParameters": {}},
        {"ChallengeName": "MFA_SETUP", "Session": "s2", "ChallengeParameters": {}},
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s3"},
        {"Status": "SUCCESS", "Session": "s4"},
        result(token(), "r1"),
    )
    code, _, err = run(
        make_io(env, idp, stdin="temp\nN3w-pass\n123456\n"),
        "login",
        "-u",
        "alice",
        "--flow",
        "password",
        "--password-stdin",
    )
    assert code == 0, err
    assert "JBSWY3DPEHPK3PXP" in err and "otpauth://totp/studio-access:alice?secret=JBSWY3DPEHPK3PXP" in err
    assert idp.calls[3][1]["UserCode"] == "123456" and "Logged in as alice" in err


# --------------------------------------------------------------------------- a working day on short tokens

TOKEN_MINUTES = 30  # the stack's default access-token lifetime (identity.accessTokenValidityMinutes)


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


class RenewingIdp:
    """Cognito's REFRESH_TOKEN_AUTH: a new 30-minute access token each time, the same refresh token."""

    def __init__(self, clock: Clock):
        self.clock, self.refreshes = clock, 0

    def initiate_auth(self, **kw):
        assert kw["AuthFlow"] == "REFRESH_TOKEN_AUTH" and kw["AuthParameters"] == {"REFRESH_TOKEN": "r1"}
        self.refreshes += 1
        return result(token(exp=int(self.clock()) + TOKEN_MINUTES * 60, n=self.refreshes))


class Gateway:
    """The API as the authorizer answers it: 401 once the token's exp has passed on the server's clock."""

    def __init__(self, clock: Clock, skew: float = 0):
        self.clock, self.skew, self.answers = clock, skew, []

    def __call__(self, url, bearer):
        expired = self.clock() + self.skew >= sessions.token_claims(bearer)["exp"]
        self.answers.append(401 if expired else 302)
        return UNAUTHORIZED if expired else REDIRECT


def _day_io(env, clock, idp, gateway):
    def prompt(_):
        raise AssertionError("the client asked the person for something")

    return cli.Io(
        env=env,
        out=io.StringIO(),
        err=io.StringIO(),
        stdin=io.StringIO(""),
        getpass=prompt,
        input=prompt,
        browser=lambda url: True,
        now=clock,
        make_idp=lambda cfg: idp,
        http_get=gateway,
        platform="linux",
    )


@pytest.mark.parametrize("skew", [0, 300], ids=["same clock", "server 5 minutes ahead"])
def test_short_access_tokens_never_interrupt_a_working_day(env, skew):
    """Sign in once; open Studio every 7 minutes for 8 hours: every open works without a prompt, the
    client renews the 30-minute token by itself (before it expires, or once on a 401 when the server's
    clock runs ahead), and no more often than needed."""
    clock = Clock(NOW)
    logged_in(env, access=token(exp=NOW + TOKEN_MINUTES * 60))
    idp, gateway = RenewingIdp(clock), Gateway(clock, skew)
    opens = 0
    while clock.now < NOW + 8 * 3600:
        clock.now += 7 * 60
        code, out, err = run(_day_io(env, clock, idp, gateway), "open", "--print")
        assert code == 0, err
        assert out == REDIRECT.headers["location"] + "\n" and "login" not in err
        opens += 1
    assert opens == 69
    # A renewal about once per token lifetime (each 30-minute token serves four or five opens), not per open.
    assert 12 <= idp.refreshes <= 18
    # Every open ends in a URL; a 401 (the server's clock ahead by more than the renewal margin)
    # costs one renewal and one retry, never a second 401.
    answers = ",".join(map(str, gateway.answers))
    assert gateway.answers.count(302) == opens and "401,401" not in answers
    assert ("401" in answers) == (skew > 0)


def test_a_token_expired_overnight_is_renewed_quietly_within_the_refresh_tokens_day(env):
    clock = Clock(NOW)
    logged_in(env, access=token(exp=NOW + TOKEN_MINUTES * 60))
    idp, gateway = RenewingIdp(clock), Gateway(clock)
    clock.now += 20 * 3600  # the access token expired long ago; the refresh token (24 h) has not
    code, _, err = run(_day_io(env, clock, idp, gateway), "open", "--print")
    assert code == 0, err
    assert idp.refreshes == 1 and gateway.answers == [302]


def test_after_the_refresh_tokens_day_the_person_signs_in_again(env):
    logged_in(env, access=token(exp=NOW - 3600))
    expired = Idp(
        ClientError(
            {"Error": {"Code": "NotAuthorizedException", "Message": "Refresh Token has expired"}}, "InitiateAuth"
        )
    )
    code, _, err = run(make_io(env, expired), "open", "--print")
    assert code == 3 and "session has expired. Run `studio-access login` again." in err


# ---------------------------------------------------------------------------- list, open --lob (issue 15)

TARGETS = {
    "username": "alice",
    "lobs": [
        {
            "name": "lob-a",
            "spaces": [
                {"name": "alices-notes", "appType": "CodeEditor", "sharing": "Private"},
                {"name": "team", "appType": "JupyterLab", "sharing": "Shared"},
            ],
        },
        {"name": "lob-b", "spaces": []},
    ],
}
CHOOSE = api.Response(
    409,
    {},
    json.dumps({"message": "Choose a line of business.", "requestId": "r", "lobs": ["lob-a", "lob-b"]}).encode(),
)


def test_list_shows_each_lob_and_its_spaces(env):
    logged_in(env)
    http = Api(api.Response(200, {}, json.dumps(TARGETS).encode()))
    code, out, err = run(make_io(env, http=http), "list")
    assert code == 0, err
    assert http.calls == [(CONFIG["apiUrl"] + "/alice/targets", token())]
    assert out.splitlines() == [
        "lob-a",
        "  alices-notes  CodeEditor    Private",
        "  team          JupyterLab    Shared",
        "lob-b",
        "  (no spaces: open the line of business itself)",
    ]
    assert "studio-access open --lob NAME" in err


def test_list_json_prints_the_answer(env):
    logged_in(env)
    http = Api(api.Response(200, {}, json.dumps(TARGETS).encode()))
    code, out, _ = run(make_io(env, http=http), "list", "--json")
    assert code == 0 and json.loads(out) == TARGETS


def test_list_refreshes_once_on_401_and_says_when_nothing_is_open(env):
    logged_in(env)
    not_entitled = api.Response(
        403, {}, json.dumps({"message": "You are not entitled to any line of business.", "requestId": "r"}).encode()
    )
    idp, http = Idp(result(token(n=1))), Api(UNAUTHORIZED, not_entitled)
    code, _, err = run(make_io(env, idp, http), "list")
    assert code == 4 and "You are not entitled to any line of business" in err
    assert [c[1] for c in http.calls] == [token(), token(n=1)]


def test_open_with_several_lobs_asks_to_choose_then_opens_the_chosen_one(env):
    logged_in(env)
    http = Api(CHOOSE, REDIRECT)
    code, out, err = run(make_io(env, http=http), "open", "--print")
    assert code == 2 and out == ""
    assert "several lines of business (lob-a, lob-b)" in err and "--lob NAME" in err
    code, out, _ = run(make_io(env, http=http), "open", "--print", "--lob", "lob-b", "--space", "team")
    assert code == 0 and out.strip() == REDIRECT.headers["location"]
    assert http.calls[-1][0] == CONFIG["apiUrl"] + "/alice?lob=lob-b&space=team"
