"""Tags the infrastructure sets and the policy pack keys on. Rename one here, both sides follow."""

from __future__ import annotations

from typing import Final

# Which Lambda function is which (components set it; the pack finds the presigned-URL function).
FUNCTION_TAG: Final = "studio-access:function"
AUTHORIZER_FUNCTION: Final = "authorizer"
PRESIGNED_URL_FUNCTION: Final = "presigned-url"
FUNCTIONS: Final = (AUTHORIZER_FUNCTION, PRESIGNED_URL_FUNCTION)

# What a security group rule is for, where the pack must tell it apart.
PURPOSE_TAG: Final = "studio-access:purpose"
BASTION_SSH: Final = "onprem-bastion-ssh"

# The Cognito threat protection mode the stack config chose (identity.threatProtection), on the
# user pool: the pack accepts a pool without ENFORCED threat protection only when this tag
# declares the mode it has (an opt-out made in the config, reported as advisory), never silently.
THREAT_PROTECTION_TAG: Final = "studio-access:threat-protection"
THREAT_PROTECTION_ENFORCED: Final = "ENFORCED"
