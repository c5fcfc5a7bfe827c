"""A bad environment, a request answered with a status, and the answer for an AWS error."""

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


class ConfigError(ValueError):
    """The function's environment is invalid."""


class Failure(Exception):
    """A request that ends with ``status`` and ``message`` (safe to show: no ARN, no account)."""

    def __init__(self, status: int, message: str, outcome: str) -> None:
        super().__init__(message)
        self.status, self.message, self.outcome = status, message, outcome


def failure_for(code: str, operation: str) -> Failure:
    """The answer for an AWS error code (``""`` if none) of ``operation``, after botocore's retries."""
    if code in THROTTLING:
        return Failure(503, "AWS is throttling requests; try again in a moment", "throttled")
    if operation == "AssumeRole" and code.startswith("AccessDenied"):
        return Failure(502, "the line of business's access role refused this function", "assume-role-denied")
    if operation == "CreatePresignedDomainUrl" and code in ("ResourceNotFound", "ResourceNotFoundException"):
        return Failure(404, "SageMaker found no such user profile (or space) in the LOB's domain", "no-profile")
    return Failure(500, "internal error", "error")
