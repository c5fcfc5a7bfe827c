"""The private access API: `GET <apiUrl>/<username>` (a Studio URL) and `GET <apiUrl>/<username>/targets`
(the lines of business and spaces the person may open), with the bearer token, redirect not followed.

`build_url`, `targets_url`, `interpret` and `interpret_targets` are pure; `get` is the only
function that does I/O."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from . import __version__
from .errors import AccessRefused, ChooseLob, ClientError, NetworkError, PlatformError, Unauthorized, UsageError

TIMEOUT_SECONDS = 35  # API Gateway gives up at 29 s
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def build_url(
    api_url: str, username: str, space: str | None = None, landing: str | None = None, lob: str | None = None
) -> str:
    """`<apiUrl>/<username>?lob=..&space=..&landing=..`, every part escaped."""
    if lob is not None and not lob.strip():
        raise UsageError("--lob needs the name of a line of business (studio-access list shows yours)")
    if space is not None and not space.strip():
        raise UsageError("--space needs a space name")
    if landing is not None and not landing.strip():
        raise UsageError("--landing needs a URI (for example app:JupyterLab:)")
    query = {k: v for k, v in (("lob", lob), ("space", space), ("landing", landing)) if v is not None}
    url = f"{api_url.rstrip('/')}/{quote(username, safe='')}"
    return f"{url}?{urlencode(query)}" if query else url


def targets_url(api_url: str, username: str) -> str:
    """`<apiUrl>/<username>/targets`."""
    return f"{api_url.rstrip('/')}/{quote(username, safe='')}/targets"


def _body(resp: Response) -> dict:
    try:
        data = json.loads(resp.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _message(data: dict) -> str:
    msg = data.get("message") or data.get("Message") or ""
    return str(msg).rstrip(".")


def _request_id(resp: Response, data: dict) -> str:
    rid = data.get("requestId") or resp.headers.get("x-amzn-requestid") or resp.headers.get("x-amz-apigw-id")
    return f" (request id {rid})" if rid else ""


def interpret(resp: Response, username: str) -> str:
    """The Studio URL from a response, or the ClientError that says what to do."""
    data = _body(resp)
    rid = _request_id(resp, data)
    if resp.status in REDIRECTS:
        url = resp.headers.get("location", "")
    elif resp.status == 200:
        url = str(data.get("url", ""))
    else:
        url = None
    if url is not None:
        if urlsplit(url).scheme != "https":
            raise PlatformError(
                f"the access API answered {resp.status} without an https Studio URL{rid}; tell the platform team."
            )
        return url
    raise refusal(resp, username)


@dataclass(frozen=True)
class Space:
    name: str
    app_type: str
    sharing: str


@dataclass(frozen=True)
class Lob:
    name: str
    spaces: tuple[Space, ...]


def interpret_targets(resp: Response, username: str) -> tuple[Lob, ...]:
    """The lines of business and spaces from `/targets`' answer, or the ClientError that says what to do."""
    if resp.status != 200:
        raise refusal(resp, username)
    data = _body(resp)
    lobs: Any = data.get("lobs")
    rid = _request_id(resp, data)
    try:
        found = tuple(
            Lob(
                str(lob["name"]),
                tuple(
                    Space(str(s["name"]), str(s.get("appType", "")), str(s.get("sharing", ""))) for s in lob["spaces"]
                ),
            )
            for lob in lobs
        )
    except (TypeError, KeyError):
        raise PlatformError(
            f"the access API answered 200 without a list of targets{rid}; tell the platform team."
        ) from None
    return found


def refusal(resp: Response, username: str) -> ClientError:
    """The ClientError for a response that is not what was asked for."""
    data = _body(resp)
    msg = _message(data)
    rid = _request_id(resp, data)
    error_type = resp.headers.get("x-amzn-errortype", "").split(":")[0]
    if resp.status == 409 and isinstance(data.get("lobs"), list):
        names = ", ".join(str(n) for n in data["lobs"])
        return ChooseLob(
            f"you may open several lines of business ({names}): choose one with "
            f"`studio-access open --lob NAME` (`studio-access list` shows their spaces){rid}.",
            tuple(str(n) for n in data["lobs"]),
        )
    if resp.status == 401:
        return Unauthorized(
            "the access API did not accept your session (401: expired, revoked or not valid). "
            "Run `studio-access login` again."
        )
    if resp.status == 403:
        if "requestId" in data:  # the presigned-URL function itself refused
            return AccessRefused(
                f"access refused for '{username}': {msg or 'forbidden'}{rid}. If you should have "
                f"access, ask the platform team to map '{username}' to a line of business."
            )
        if error_type == "AccessDeniedException" or "not authorized to access this resource" in msg:
            return AccessRefused(
                f"the access API allows this session only its own user's path, and '{username}' is "
                "not it (403). Run `studio-access logout` and `studio-access login` as yourself."
            )
        return AccessRefused(
            f"the access API refused the request (403: {msg or 'Forbidden'}){rid}. The API is "
            "private: make sure you are on the corporate network (or its VPN)."
        )
    if resp.status == 400:
        return UsageError(f"the access API refused the request: {msg or 'bad request'}{rid}.")
    if resp.status == 404:
        return PlatformError(
            f"Studio is not set up for '{username}': {msg or 'not found'}{rid}. Ask the platform "
            "team (your line of business, its domain or your user profile is missing)."
        )
    if resp.status == 502:
        return PlatformError(
            f"the platform could not reach your line of business's account: {msg or 'bad gateway'}{rid}. "
            "Tell the platform team (the cross-account access role could not be assumed)."
        )
    if resp.status in (429, 503):
        return PlatformError(
            f"the access API is busy ({resp.status}: {msg or 'throttled'}); try again in a minute{rid}."
        )
    if resp.status == 504:
        return PlatformError(
            f"the access API timed out (504){rid}; try again, and tell the platform team if it persists."
        )
    if resp.status >= 500:
        return PlatformError(
            f"the access API failed ({resp.status}: {msg or 'internal error'}){rid}; tell the platform team."
        )
    return ClientError(f"unexpected answer from the access API: HTTP {resp.status}{rid}.")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the Location is for the browser, not for us


def _network_error(url: str, reason: object) -> NetworkError:
    host = urlsplit(url).hostname or url
    if isinstance(reason, socket.gaierror):
        return NetworkError(
            f"cannot resolve {host}: the access API is private and its name resolves only on the "
            "corporate network. Connect to the corporate network (or its VPN) and try again."
        )
    if isinstance(reason, ssl.SSLError):
        return NetworkError(f"TLS with {host} failed ({reason}). Check the network or proxy you are on.")
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return NetworkError(f"{host} did not answer in time: make sure you are on the corporate network (or its VPN).")
    return NetworkError(
        f"cannot connect to {host} ({reason}): the access API is reachable only from the corporate "
        "network. Connect to it (or its VPN) and try again."
    )


def get(url: str, token: str, timeout: float = TIMEOUT_SECONDS) -> Response:
    """One GET with the bearer token; redirects are returned, not followed."""
    req = urllib.request.Request(
        url,
        method="GET",
        headers={
            "Authorization": f"Bearer {token}",
            "User-Agent": f"studio-access-client/{__version__}",
        },
    )
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(req, timeout=timeout) as r:
            return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())
    except urllib.error.URLError as err:
        raise _network_error(url, err.reason) from None
    except (TimeoutError, OSError) as err:
        raise _network_error(url, err) from None
