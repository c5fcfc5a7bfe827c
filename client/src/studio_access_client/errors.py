"""Errors a person can act on, each with the exit code the README documents."""

from __future__ import annotations

OK = 0
UNEXPECTED = 1
USAGE = 2  # bad arguments, missing or invalid config file, request refused as malformed (400)
AUTH = 3  # not logged in, session expired or refused, sign-in failed
REFUSED = 4  # the API refused access (403): not mapped to a line of business, not your path
NETWORK = 5  # the API (or Cognito) cannot be reached: DNS, connect, TLS
PLATFORM = 6  # the platform failed: 404 (LOB, domain or profile not set up), 5xx


class ClientError(Exception):
    """An error with a message for a person and an exit code."""

    exit_code = UNEXPECTED

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(ClientError):
    exit_code = USAGE


class ConfigError(UsageError):
    pass


class ChooseLob(UsageError):
    """The person may open several lines of business and did not say which (the API's 409)."""

    def __init__(self, message: str, lobs: tuple[str, ...]):
        super().__init__(message)
        self.lobs = lobs


class AuthError(ClientError):
    exit_code = AUTH


class NotLoggedIn(AuthError):
    pass


class SessionExpired(AuthError):
    pass


class AccessRefused(ClientError):
    exit_code = REFUSED


class NetworkError(ClientError):
    exit_code = NETWORK


class PlatformError(ClientError):
    exit_code = PLATFORM


class Unauthorized(AuthError):
    """The API answered 401: the caller may refresh the session and retry once."""
