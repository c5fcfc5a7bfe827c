"""Stack output names: a contract between the stack that exports and the stacks that read.

Both sides use these constants; a test checks that every output a LOB stack reads is one the
shared stack exports. Renaming one is a breaking change for deployed LOB stacks and for tools
that read `pulumi stack output`.
"""

# --- exported by the shared stack
ACCOUNT_ID = "accountId"
REGION = "region"
CENTRAL_VPC_ID = "centralVpcId"
CENTRAL_VPC_CIDR = "centralVpcCidr"
TRANSIT_GATEWAY_ID = "transitGatewayId"
RAM_SHARE_ARN = "ramShareArn"
# {endpoint key: resolver rule id}; endpoint keys are network_hub.ENDPOINTS' keys.
RESOLVER_RULE_IDS = "resolverRuleIds"
# {endpoint key: VPC endpoint id}
ENDPOINT_IDS = "endpointIds"
# {endpoint key: private hosted zone id}
HOSTED_ZONE_IDS = "hostedZoneIds"
SAGEMAKER_API_ENDPOINT_ID = "sagemakerApiEndpointId"
STUDIO_ENDPOINT_ID = "studioEndpointId"
LOB_NAMES = "lobNames"
# the access proxy
ACCESS_VPC_ID = "accessVpcId"
API_ID = "apiId"
API_URL = "apiUrl"
IDENTITY_PROVIDER = "identityProvider"  # "cognito" | "oidc"
USER_POOL_ID = "userPoolId"  # cognito only
USER_POOL_CLIENT_ID = "userPoolClientId"  # cognito only
TOKEN_ISSUER = "tokenIssuer"
USERS_TABLE = "usersTable"
LOBS_TABLE = "lobsTable"
PRESIGNED_URL_ROLE_ARN = "presignedUrlRoleArn"
ACCESS_ROLE_NAME = "accessRoleName"
# the sign-in page (docs/sign-in.md), when there is one: its URL, and the hosts a browser must reach
SIGN_IN_URL = "signInUrl"
SIGN_IN_HOSTS = "signInHosts"
# the on-premises simulator, when enabled
ONPREM_TUNNEL_COMMAND = "onPremTunnelCommand"
ONPREM_OPEN_URL = "onPremOpenUrl"  # what to open in the simulated desktop's browser: the sign-in page

# --- exported by every LOB stack
LOB_NAME = "lobName"
VPC_ID = "vpcId"
DOMAIN_ID = "domainId"
DOMAIN_ARN = "domainArn"
USER_PROFILE_NAMES = "userProfileNames"
EXECUTION_ROLE_ARN = "executionRoleArn"
STUDIO_BUCKET = "studioBucket"
ACCESS_ROLE_ARN = "accessRoleArn"

# The shared outputs a LOB stack reads (through components.refs).
READ_BY_LOB = (
    TRANSIT_GATEWAY_ID,
    RAM_SHARE_ARN,
    RESOLVER_RULE_IDS,
    CENTRAL_VPC_CIDR,
    SAGEMAKER_API_ENDPOINT_ID,
    STUDIO_ENDPOINT_ID,
    PRESIGNED_URL_ROLE_ARN,
    ACCESS_ROLE_NAME,
)
