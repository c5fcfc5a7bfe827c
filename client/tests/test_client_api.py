"""The access API: URL building, every answer's meaning, and the HTTP edge (no redirect following)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from studio_access_client import api, errors

API = "https://abc.execute-api.us-east-1.amazonaws.com/dev"


def test_build_url_escapes_every_part():
    assert api.build_url(API + "/", "alice") == API + "/alice"
    assert api.build_url(API, "a/b?c") == API + "/a%2Fb%3Fc"
    assert api.build_url(API, "alice", space="my space", landing="app:JupyterLab:") == (
        API + "/alice?space=my+space&landing=app%3AJupyterLab%3A"
    )
    for bad in ({"space": " "}, {"landing": ""}):
        with pytest.raises(errors.UsageError):
            api.build_url(API, "alice", **bad)


def resp(status, body=None, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    return api.Response(status, {k.lower().replace("_", "-"): v for k, v in headers.items()}, raw)


def test_redirect_and_json_answers_give_the_url():
    assert (
        api.interpret(resp(302, location="https://d-1.studio.x/auth?token=t"), "alice")
        == "https://d-1.studio.x/auth?token=t"
    )
    assert (
        api.interpret(resp(200, {"url": "https://d-1.studio.x/a", "expiresInSeconds": 20}), "alice")
        == "https://d-1.studio.x/a"
    )


@pytest.mark.parametrize(
    "answer",
    [
        resp(302),
        resp(302, location="http://d-1.studio.x/a"),
        resp(302, location="javascript:alert(1)"),
        resp(200, {"nourl": 1}),
    ],
)
def test_never_hands_a_non_https_url_to_the_browser(answer):
    with pytest.raises(errors.PlatformError, match="without an https Studio URL"):
        api.interpret(answer, "alice")


@pytest.mark.parametrize(
    "answer, kind, words",
    [
        (resp(401, {"message": "Unauthorized"}), errors.Unauthorized, ["401", "studio-access login"]),
        (
            resp(403, {"message": "user is not mapped to a LOB", "requestId": "r-1"}),
            errors.AccessRefused,
            ["user is not mapped to a LOB", "request id r-1", "map 'alice' to a line of business"],
        ),
        (
            resp(
                403,
                {"Message": "User is not authorized to access this resource with an explicit deny"},
                x_amzn_ErrorType="AccessDeniedException",
            ),
            errors.AccessRefused,
            ["only its own user's path", "studio-access login"],
        ),
        (
            resp(403, {"message": "Forbidden"}, x_amzn_ErrorType="ForbiddenException"),
            errors.AccessRefused,
            ["corporate network"],
        ),
        (
            resp(400, {"message": "space: not a valid name", "requestId": "r-2"}),
            errors.UsageError,
            ["space: not a valid name"],
        ),
        (
            resp(404, {"message": "no domain", "requestId": "r"}),
            errors.PlatformError,
            ["not set up for 'alice'", "no domain"],
        ),
        (
            resp(502, {"message": "cannot assume", "requestId": "r"}),
            errors.PlatformError,
            ["could not reach your line of business's account", "platform team"],
        ),
        (resp(503, {"message": "throttled"}), errors.PlatformError, ["busy", "try again"]),
        (resp(429, b"not json"), errors.PlatformError, ["busy"]),
        (resp(504, {"message": "Endpoint request timed out"}), errors.PlatformError, ["timed out"]),
        (resp(500, {"message": None}), errors.PlatformError, ["internal error"]),
        (resp(418, b"[]"), errors.ClientError, ["HTTP 418"]),
    ],
)
def test_each_failure_says_what_to_do(answer, kind, words):
    with pytest.raises(errors.ClientError) as err:
        api.interpret(answer, "alice")
    assert type(err.value) is kind
    for w in words:
        assert w in err.value.message


def test_exit_codes_by_kind():
    assert [
        k.exit_code
        for k in (
            errors.UsageError,
            errors.AuthError,
            errors.AccessRefused,
            errors.NetworkError,
            errors.PlatformError,
            errors.ClientError,
        )
    ] == [2, 3, 4, 5, 6, 1]


class _Server:
    def __init__(self, status, headers):
        outer = self
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, dict(self.headers)))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_get_sends_the_bearer_token_and_does_not_follow_the_redirect(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = _Server(302, {"Location": "https://d-1.studio.example/auth?token=t"})
    try:
        r = api.get(f"{server.url}/dev/alice", "tok")
    finally:
        server.close()
    assert r.status == 302 and r.headers["location"] == "https://d-1.studio.example/auth?token=t"
    ((path, headers),) = server.requests  # one request: the redirect was not followed
    assert path == "/dev/alice" and headers["Authorization"] == "Bearer tok"
    assert headers["User-Agent"].startswith("studio-access-client/")


def test_unresolvable_name_says_to_be_on_the_corporate_network(monkeypatch):
    def no_dns(*a, **k):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(errors.NetworkError) as err:
        api.get("https://abc.execute-api.us-east-1.amazonaws.com/dev/alice", "tok")
    assert "cannot resolve abc.execute-api.us-east-1.amazonaws.com" in err.value.message
    assert "corporate network" in err.value.message and err.value.exit_code == 5


def test_refused_connection_says_to_be_on_the_corporate_network(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(errors.NetworkError) as err:
            api.get(f"http://127.0.0.1:{port}/dev/alice", "tok")
    assert "cannot connect to 127.0.0.1" in err.value.message and "corporate network" in err.value.message


# ---------------------------------------------------------------------------- lines of business (issue 15)


def test_lob_is_a_query_parameter_and_targets_a_path():
    assert api.build_url(API, "alice", lob="lob-b", space="s1") == API + "/alice?lob=lob-b&space=s1"
    assert api.targets_url(API + "/", "a/b") == API + "/a%2Fb/targets"
    with pytest.raises(errors.UsageError, match="--lob needs the name"):
        api.build_url(API, "alice", lob=" ")


def test_several_lobs_and_none_chosen_says_which_and_how():
    answer = resp(409, {"message": "Choose a line of business.", "requestId": "r-9", "lobs": ["lob-a", "lob-b"]})
    with pytest.raises(errors.ChooseLob) as err:
        api.interpret(answer, "alice")
    assert err.value.lobs == ("lob-a", "lob-b") and err.value.exit_code == errors.USAGE
    for words in ("lob-a, lob-b", "studio-access open --lob NAME", "studio-access list", "request id r-9"):
        assert words in err.value.message
    # the function's other 409 (a platform problem) is not a choice
    with pytest.raises(errors.ClientError) as other:
        api.interpret(resp(409, {"message": "Studio is not set up for you", "requestId": "r"}), "alice")
    assert type(other.value) is errors.ClientError


def test_no_entitlement_is_refused_with_the_apis_message():
    answer = resp(403, {"message": "You are not entitled to any line of business.", "requestId": "r-1"})
    with pytest.raises(errors.AccessRefused) as err:
        api.interpret_targets(answer, "alice")
    assert "You are not entitled to any line of business" in err.value.message


def test_targets_are_read_into_lobs_and_spaces():
    answer = resp(
        200,
        {
            "username": "alice",
            "lobs": [
                {"name": "lob-a", "spaces": [{"name": "team", "appType": "JupyterLab", "sharing": "Shared"}]},
                {"name": "lob-b", "spaces": []},
            ],
        },
    )
    assert api.interpret_targets(answer, "alice") == (
        api.Lob("lob-a", (api.Space("team", "JupyterLab", "Shared"),)),
        api.Lob("lob-b", ()),
    )
    for bad in ({"lobs": None}, {"lobs": [{"name": "x"}]}, {"lobs": [{"spaces": []}]}, {}):
        with pytest.raises(errors.PlatformError, match="without a list of targets"):
            api.interpret_targets(resp(200, bad), "alice")
    with pytest.raises(errors.Unauthorized):
        api.interpret_targets(resp(401, {"message": "Unauthorized"}), "alice")
