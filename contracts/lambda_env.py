"""Variables that Lambda and the AWS SDK define and the handlers read: never set by the stack.

The tests and the end-to-end emulation set them to stand in for Lambda (`FUNCTION_NAME`) or to
point the SDK at an emulator (`ENDPOINT_URL`, `ENDPOINT_URL_STS`, `ENDPOINT_URL_KMS`). The
authorizer has no SDK: it signs its KMS calls itself with the role's credentials that Lambda
puts in the environment (`ACCESS_KEY_ID`, `SECRET_ACCESS_KEY`, `SESSION_TOKEN`)."""

from __future__ import annotations

from typing import Final

from .env import Var

FUNCTION_NAME: Final = Var("AWS_LAMBDA_FUNCTION_NAME", "set on Lambda: a bad environment stops the container's start")
ENDPOINT_URL: Final = Var("AWS_ENDPOINT_URL", "the SDK's endpoint for every service (emulators)")
ENDPOINT_URL_STS: Final = Var("AWS_ENDPOINT_URL_STS", "the SDK's STS endpoint (emulators); else the regional one")
ENDPOINT_URL_KMS: Final = Var("AWS_ENDPOINT_URL_KMS", "KMS's endpoint (emulators); else the regional one")
ACCESS_KEY_ID: Final = Var("AWS_ACCESS_KEY_ID", "the function role's credentials (set by Lambda)")
SECRET_ACCESS_KEY: Final = Var("AWS_SECRET_ACCESS_KEY", "the function role's credentials (set by Lambda)")
SESSION_TOKEN: Final = Var("AWS_SESSION_TOKEN", "the function role's credentials (set by Lambda)")

ALL: Final = (
    FUNCTION_NAME,
    ENDPOINT_URL,
    ENDPOINT_URL_STS,
    ENDPOINT_URL_KMS,
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
)
