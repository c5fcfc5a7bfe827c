"""`studio-access`: login, list, open, whoami, logout. I/O lives here; the logic is in the modules."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from . import __version__, api, auth, paths
from . import session as sessions
from .config import Config, load_config
from .errors import OK, AuthError, ClientError, ConfigError, NotLoggedIn, Unauthorized, UsageError

T = TypeVar("T")

EPILOG = """exit codes:
  0  done
  1  unexpected error
  2  bad arguments, missing or invalid config file, request refused as malformed,
     several lines of business and none chosen (open --lob NAME)
  3  not logged in, session expired or refused, sign-in failed
  4  access refused by the API (403): not entitled to a line of business, not yours, or not your path
  5  the API or Cognito cannot be reached (DNS, connect, TLS): be on the corporate network
  6  the platform failed (404 not set up, 5xx)
"""


@dataclass
class Io:
    """Everything the commands touch outside the process; tests replace any of it."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    getpass: Callable[[str], str] = getpass.getpass
    input: Callable[[str], str] = input
    browser: Callable[[str], bool] = webbrowser.open
    now: Callable[[], float] = time.time
    platform: str = sys.platform
    home: Path = field(default_factory=Path.home)
    make_idp: Callable[[Config], Any] = auth.make_idp
    http_get: Callable[[str, str], api.Response] = api.get


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="studio-access",
        description="Open SageMaker Studio through the private studio-access API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: $STUDIO_ACCESS_CONFIG, "
        "then studio-access/config.json in your user config directory)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    login = sub.add_parser("login", help="sign in and keep the session in your cache directory")
    login.add_argument("--username", "-u", help="your username (asked if not given)")
    login.add_argument(
        "--flow",
        choices=auth.FLOWS,
        default="srp",
        help="srp (default; the password never leaves this machine) or password (only if the platform team enabled it)",
    )
    how = login.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password (and a new one, if Cognito asks) from standard input, one a line",
    )
    how.add_argument(
        "--token-stdin",
        action="store_true",
        help="read an access token from standard input (deployments with an external OIDC issuer)",
    )

    ls = sub.add_parser("list", help="list the lines of business and Studio spaces you may open")
    ls.add_argument("--json", action="store_true", help="print the API's JSON answer as it is")

    op = sub.add_parser("open", help="open Studio in your browser (the URL lives 20 seconds)")
    op.add_argument("--lob", metavar="NAME", help="the line of business to open (needed when you have several)")
    op.add_argument("--space", metavar="NAME", help="open this Studio space")
    op.add_argument("--landing", metavar="URI", help="landing URI, e.g. app:JupyterLab: or studio::")
    op.add_argument("--print", action="store_true", dest="print_url", help="print the URL instead of opening it")

    sub.add_parser("whoami", help="show who you are signed in as, and until when")
    sub.add_parser("logout", help="revoke the session and delete it from the cache")
    return p


class _Prompts:
    def __init__(self, io: Io, from_stdin: bool):
        self.io, self.from_stdin = io, from_stdin

    def _line(self, what: str) -> str:
        line = self.io.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError(f"expected {what} on standard input")
        return line

    def new_password(self) -> str:
        self.io.err.write("Cognito asks you to choose a new password (first sign-in).\n")
        if self.from_stdin:
            return self._line("a new password (second line)")
        first = self.io.getpass("New password: ")
        if first != self.io.getpass("New password again: "):
            raise AuthError("the two new passwords differ. Run `studio-access login` again.")
        return first

    def totp_secret(self, secret: str, uri: str) -> None:
        self.io.err.write(
            "Your account needs an authenticator app (multi-factor authentication is required).\n"
            "Add this account to your app (Microsoft or Google Authenticator, 1Password, ...) with the key\n"
            f"  {secret}\n"
            f"or the URI (or a QR code made from it)\n  {uri}\n"
            "then type the 6-digit code it shows. Keep the key to yourself: it is your second factor.\n"
        )

    def mfa_code(self, challenge: str) -> str:
        what = "text-message code" if challenge == "SMS_MFA" else "code from your authenticator app"
        if self.from_stdin:
            return self._line(f"a {what}")
        return self.io.input(f"{what[0].upper()}{what[1:]}: ").strip()


def _config(args: argparse.Namespace, io: Io) -> Config:
    path, how = paths.config_candidates(args.config, io.env, io.platform, io.home)
    return load_config(path, how)


def _cache(cfg: Config, io: Io) -> Path:
    return sessions.cache_file(paths.user_cache_dir(io.env, io.platform, io.home), cfg)


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _renew(cfg: Config, io: Io, path: Path, s: sessions.Session) -> sessions.Session:
    if not s.refresh_token:
        raise NotLoggedIn("your session has expired. Run `studio-access login` again.")
    result = auth.refresh(io.make_idp(cfg), cfg, s.refresh_token)
    renewed = sessions.session_from_tokens(
        result["AccessToken"], result.get("RefreshToken") or s.refresh_token, s.username
    )
    sessions.save(path, renewed)
    return renewed


def _session(cfg: Config, path: Path) -> sessions.Session:
    s = sessions.load(path)
    if s is None:
        raise NotLoggedIn("not logged in. Run `studio-access login` first.")
    if why := sessions.belongs_to(s, cfg):
        raise NotLoggedIn(f"your saved session is not for this deployment ({why}). Run `studio-access login`.")
    return s


def cmd_login(args: argparse.Namespace, io: Io) -> int:
    cfg = _config(args, io)
    path = _cache(cfg, io)
    if args.token_stdin:
        token = io.stdin.readline().strip()
        try:
            s = sessions.session_from_tokens(token, None)
        except ValueError as err:
            raise UsageError(f"standard input is not an access token: {err}") from None
    else:
        if cfg.identity_provider != "cognito":
            raise UsageError(
                f"this deployment signs in with an external OIDC issuer ({cfg.token_issuer}): get an "
                "access token from it and run `studio-access login --token-stdin`."
            )
        previous = sessions.load(path)
        username = args.username or io.input(f"Username{f' [{previous.username}]' if previous else ''}: ").strip()
        username = username or (previous.username if previous else "")
        if not username:
            raise UsageError("a username is needed (--username NAME)")
        if args.password_stdin:
            password = _Prompts(io, True)._line("the password (first line)")
        else:
            password = io.getpass(f"Password for {username}: ")
        result = auth.login(io.make_idp(cfg), cfg, username, password, _Prompts(io, args.password_stdin), args.flow)
        s = sessions.session_from_tokens(result["AccessToken"], result.get("RefreshToken"), username)
    if s.issuer != cfg.token_issuer:
        raise ConfigError(
            f"the token was issued by {s.issuer}, but the config file {cfg.source} names tokenIssuer "
            f"{cfg.token_issuer}: ask the platform team for a current config file."
        )
    sessions.save(path, s)
    io.err.write(
        f"Logged in as {s.username}. Session until {_when(s.expires_at)}"
        f"{', renewed automatically' if s.refresh_token else ''}.\n"
    )
    return OK


def _ask(cfg: Config, io: Io, path: Path, s: sessions.Session, url: str, read: Callable[[api.Response], T]) -> T:
    """GET ``url`` with the session's token and read the answer; an expiring token is renewed
    first, a 401 renews it once (revoked, or clock skew), then gives up."""
    renewed = False
    if sessions.needs_refresh(s, io.now()):
        s, renewed = _renew(cfg, io, path, s), True
    while True:
        resp = io.http_get(url, s.access_token)
        try:
            return read(resp)
        except Unauthorized:
            if renewed or not s.refresh_token:
                raise
            s, renewed = _renew(cfg, io, path, s), True


def cmd_list(args: argparse.Namespace, io: Io) -> int:
    cfg = _config(args, io)
    path = _cache(cfg, io)
    s = _session(cfg, path)
    raw: list[api.Response] = []

    def read(resp: api.Response) -> tuple[api.Lob, ...]:
        raw.append(resp)
        return api.interpret_targets(resp, s.username)

    lobs = _ask(cfg, io, path, s, api.targets_url(cfg.api_url, s.username), read)
    if args.json:
        io.out.write(raw[-1].body.decode("utf-8") + "\n")
        return OK
    for lob in lobs:
        io.out.write(f"{lob.name}\n")
        width = max((len(space.name) for space in lob.spaces), default=0)
        for space in lob.spaces:
            io.out.write(f"  {space.name:<{width}}  {space.app_type:<12}  {space.sharing}\n")
        if not lob.spaces:
            io.out.write("  (no spaces: open the line of business itself)\n")
    if len(lobs) > 1:
        io.err.write("Open one with `studio-access open --lob NAME [--space SPACE]`.\n")
    elif lobs:
        io.err.write("Open it with `studio-access open [--space SPACE]`.\n")
    return OK


def cmd_open(args: argparse.Namespace, io: Io) -> int:
    cfg = _config(args, io)
    path = _cache(cfg, io)
    s = _session(cfg, path)
    url = api.build_url(cfg.api_url, s.username, args.space, args.landing, lob=args.lob)
    studio = _ask(cfg, io, path, s, url, lambda resp: api.interpret(resp, s.username))
    if args.print_url:
        io.out.write(studio + "\n")
        io.err.write("Open it within 20 seconds; it works only from the corporate network.\n")
    elif io.browser(studio):
        io.err.write(f"Opened SageMaker Studio for {s.username} in your browser.\n")
    else:
        io.out.write(studio + "\n")
        io.err.write("No browser found: open the URL above within 20 seconds.\n")
    return OK


def cmd_whoami(args: argparse.Namespace, io: Io) -> int:
    cfg = _config(args, io)
    s = _session(cfg, _cache(cfg, io))
    state = f"{'valid until' if io.now() < s.expires_at else 'expired at'} {_when(s.expires_at)}"
    renew = "renewed automatically" if s.refresh_token else "not renewable: log in again when it expires"
    io.out.write(f"{s.username}\n")
    io.err.write(f"issuer {s.issuer}; API {cfg.api_url}; access token {state} ({renew}).\n")
    return OK


def cmd_logout(args: argparse.Namespace, io: Io) -> int:
    cfg = _config(args, io)
    path = _cache(cfg, io)
    s = sessions.load(path)
    if s is None:
        io.err.write("Not logged in; nothing to do.\n")
        return OK
    if (
        s.refresh_token
        and cfg.identity_provider == "cognito"
        and (why := auth.revoke(io.make_idp(cfg), cfg, s.refresh_token))
    ):
        io.err.write(
            f"warning: could not revoke the session at Cognito ({why}); "
            "it is deleted here and its access token expires by itself.\n"
        )
    sessions.remove(path)
    io.err.write(f"Logged out {s.username}.\n")
    return OK


COMMANDS = {"login": cmd_login, "list": cmd_list, "open": cmd_open, "whoami": cmd_whoami, "logout": cmd_logout}


def main(argv: list[str] | None = None, io: Io | None = None) -> int:
    io = io or Io()
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:  # argparse: 0 for --help/--version, 2 for bad usage
        return int(stop.code or 0)
    try:
        return COMMANDS[args.command](args, io)
    except ClientError as err:
        io.err.write(f"studio-access: {err.message}\n")
        return err.exit_code
    except KeyboardInterrupt:
        io.err.write("studio-access: interrupted\n")
        return 130
