"""The signed-in session: tokens, their claims, and the cache file (mode 0600)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import Config

REFRESH_MARGIN_SECONDS = 60  # refresh a token that expires within this margin
USERNAME_CLAIMS = ("username", "cognito:username", "preferred_username", "sub")


@dataclass(frozen=True)
class Session:
    username: str
    access_token: str
    refresh_token: str | None
    expires_at: int  # the access token's `exp`
    issuer: str
    client_id: str | None


def token_claims(token: str) -> dict[str, Any]:
    """A JWT's payload, *unverified*: the client only reads its own token (who, until when).

    Verification is the authorizer's job; nothing here grants anything."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT (expected three dot-separated parts)")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError) as err:
        raise ValueError(f"not a JWT payload: {err}") from None
    if not isinstance(claims, dict):
        raise ValueError("JWT payload is not an object")
    return claims


def session_from_tokens(access_token: str, refresh_token: str | None, fallback_user: str | None = None) -> Session:
    """Build a session from an access token: the username and expiry come from its claims."""
    claims = token_claims(access_token)
    username = next((claims[c] for c in USERNAME_CLAIMS if isinstance(claims.get(c), str) and claims[c]), None)
    username = username or fallback_user
    if not username:
        raise ValueError("the access token names no user (no username claim)")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise ValueError("the access token has no numeric exp claim")
    client_id = claims.get("client_id")
    if client_id is None and isinstance(claims.get("aud"), str):
        client_id = claims["aud"]
    return Session(
        username=username,
        access_token=access_token,
        refresh_token=refresh_token,
        expires_at=int(exp),
        issuer=str(claims.get("iss", "")).rstrip("/"),
        client_id=client_id,
    )


def needs_refresh(session: Session, now: float, margin: int = REFRESH_MARGIN_SECONDS) -> bool:
    return now >= session.expires_at - margin


def belongs_to(session: Session, cfg: Config) -> str | None:
    """Why a cached session cannot be used with this config, or None if it can."""
    if session.issuer != cfg.token_issuer:
        return f"it was issued by {session.issuer or 'an unknown issuer'}, this deployment uses {cfg.token_issuer}"
    if cfg.client_id and session.client_id and session.client_id != cfg.client_id:
        return "it belongs to another app client"
    return None


def cache_file(cache_dir: Path, cfg: Config) -> Path:
    """One session per deployment: the file name is keyed by the API URL and the issuer."""
    key = hashlib.sha256(f"{cfg.api_url}|{cfg.token_issuer}|{cfg.client_id}".encode()).hexdigest()[:16]
    return cache_dir / f"session-{key}.json"


def save(path: Path, session: Session) -> None:
    """Write atomically, readable by the owner only (directory 0700, file 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".session-", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(session), f)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> Session | None:
    """The cached session, or None if there is none or it is unreadable (treated as logged out)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        session = Session(**data)
    except (OSError, ValueError, TypeError):
        return None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # someone widened it: tokens are the owner's alone
    return session


def remove(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
