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

# Which clients an interface endpoint's ingress rule admits (PURPOSE_TAG values, on the hub's
# endpoint rules): the pack checks that the Studio and execute-api endpoints admit only
# on-premises (and, for execute-api, the access VPC), and that a range is one kind everywhere.
ENDPOINT_CLIENT_ON_PREMISES: Final = "endpoint-client-on-premises"
ENDPOINT_CLIENT_ACCESS_VPC: Final = "endpoint-client-access-vpc"
ENDPOINT_CLIENT_LOB_VPC: Final = "endpoint-client-lob-vpc"
ENDPOINT_CLIENTS: Final = (ENDPOINT_CLIENT_ON_PREMISES, ENDPOINT_CLIENT_ACCESS_VPC, ENDPOINT_CLIENT_LOB_VPC)

# The policy an interface endpoint of the hub carries (hub.endpointPolicies): the data perimeter,
# or AWS's default (any principal, any resource), an opt-out the config declares on the endpoint
# and the pack reports as advisory; an endpoint without either is refused.
ENDPOINT_POLICY_TAG: Final = "studio-access:endpoint-policy"
ENDPOINT_POLICY_PERIMETER: Final = "data-perimeter"
ENDPOINT_POLICY_AWS_DEFAULT: Final = "aws-default"

# The KMS key that signs the authorizer's proofs of a signed-in person (contracts/proof.py): the
# pack holds its key policy to "only the authorizer's role signs".
PROOF_KEY_TAG: Final = "studio-access:key"
PROOF_KEY: Final = "authorizer-proof"

# A LOB's access role (assumed by the presigned-URL function per person): the pack holds its trust
# to "only with a SourceIdentity".
ROLE_TAG: Final = "studio-access:role"
LOB_ACCESS_ROLE: Final = "lob-access"

# The person a just-in-time user profile was made for (their STS source identity), on the profile:
# the LOB's access role may create a profile only with this tag naming the session's person.
PERSON_TAG: Final = "studio-access:person"
