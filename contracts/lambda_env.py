"""Variables that Lambda and the AWS SDK define and the handlers read: never set by the stack.

The tests and the end-to-end emulation set them to stand in for Lambda (`FUNCTION_NAME`) or to
point the SDK at an emulator (`ENDPOINT_URL`, `ENDPOINT_URL_STS`)."""

from __future__ import annotations

from typing import Final

from .env import Var

FUNCTION_NAME: Final = Var("AWS_LAMBDA_FUNCTION_NAME", "set on Lambda: a bad environment stops the container's start")
ENDPOINT_URL: Final = Var("AWS_ENDPOINT_URL", "the SDK's endpoint for every service (emulators)")
ENDPOINT_URL_STS: Final = Var("AWS_ENDPOINT_URL_STS", "the SDK's STS endpoint (emulators); else the regional one")

ALL: Final = (FUNCTION_NAME, ENDPOINT_URL, ENDPOINT_URL_STS)
