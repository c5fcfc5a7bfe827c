"""A bad environment, a request answered with a status, and the answer for an AWS error.

What the caller reads is generic: one message per status that names nothing of the platform (no
LOB, account, domain, role or space), plus the request id. What went wrong in detail goes to the
audit line only (`Failure.detail`), where the platform team finds it by that request id. A 400
names the caller's own query parameter, nothing else."""

from __future__ import annotations

# Throttling error codes of the services called (after botocore's standard retries).
THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "LimitExceededException",
        "SlowDown",
    }
)

# The caller's messages, by status: generic on purpose (finding 8 of issue 13).
# A person with no line of business at all (no group or row grants one); the sign-in page shows it.
NOT_ENTITLED = "You are not entitled to any line of business."
# A person with several, who did not choose (the 409's body lists the names they may choose).
CHOOSE_LOB = "Choose a line of business."
# A just-in-time profile was made a moment ago and SageMaker does not presign it yet.
PROFILE_PENDING = "Your Studio user profile is being created; try again in a minute."
MESSAGES = {
    403: "access refused",
    404: "Studio is not set up for you; ask the platform team",
    409: "Studio is not set up for you; ask the platform team",
    500: "internal error",
    502: "the platform could not reach your line of business; ask the platform team",
    503: "AWS is throttling requests; try again in a moment",
}


class ConfigError(ValueError):
    """The function's environment is invalid."""


class Failure(Exception):
    """A request that ends with ``status``: ``message`` is what the caller reads (generic, see
    `MESSAGES`), ``detail`` what the audit line keeps."""

    def __init__(
        self, status: int, outcome: str, detail: str, message: str | None = None, extra: dict[str, object] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.outcome, self.detail = status, outcome, detail
        self.message = message if message is not None else MESSAGES.get(status, MESSAGES[500])
        # More of the body, beside message and requestId: only what the caller may know (the 409's LOBs).
        self.extra = dict(extra or {})


def bad_request(message: str) -> Failure:
    """A 400 about the caller's own input: the message says which parameter, nothing more."""
    return Failure(400, "bad-request", message, message)


def failure_for(code: str, operation: str) -> Failure:
    """The answer for an AWS error code (``""`` if none) of ``operation``, after botocore's retries."""
    detail = f"{operation}: {code or 'no error code'}"
    if code in THROTTLING:
        return Failure(503, "throttled", detail)
    if operation == "AssumeRole" and code.startswith("AccessDenied"):
        return Failure(502, "assume-role-denied", detail)
    if operation in ("CreatePresignedDomainUrl", "DescribeSpace", "CreateUserProfile") and code in (
        "ResourceNotFound",
        "ResourceNotFoundException",
    ):
        outcome = {"DescribeSpace": "no-space", "CreateUserProfile": "no-domain"}.get(operation, "no-profile")
        return Failure(404, outcome, detail)
    return Failure(500, "error", detail)
