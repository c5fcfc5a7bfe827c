"""The Pulumi type tokens of the resources the rules look at."""

from __future__ import annotations

from typing import Final

# API Gateway
REST_API: Final = "aws:apigateway/restApi:RestApi"
REST_API_POLICY: Final = "aws:apigateway/restApiPolicy:RestApiPolicy"
METHOD: Final = "aws:apigateway/method:Method"
STAGE: Final = "aws:apigateway/stage:Stage"
METHOD_SETTINGS: Final = "aws:apigateway/methodSettings:MethodSettings"
AUTHORIZER: Final = "aws:apigateway/authorizer:Authorizer"
API_RESOURCE: Final = "aws:apigateway/resource:Resource"
INTEGRATION: Final = "aws:apigateway/integration:Integration"
# Lambda and its logs
FUNCTION: Final = "aws:lambda/function:Function"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"
# KMS
KMS_KEY: Final = "aws:kms/key:Key"
# DynamoDB
TABLE: Final = "aws:dynamodb/table:Table"
# IAM (and the resource policies of other services)
ROLE: Final = "aws:iam/role:Role"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY: Final = "aws:iam/policy:Policy"
USER_POLICY: Final = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY: Final = "aws:iam/groupPolicy:GroupPolicy"
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
# SageMaker
DOMAIN: Final = "aws:sagemaker/domain:Domain"
# The network
VPC_ENDPOINT: Final = "aws:ec2/vpcEndpoint:VpcEndpoint"
VPC_ENDPOINT_POLICY: Final = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
TRANSIT_GATEWAY: Final = "aws:ec2transitgateway/transitGateway:TransitGateway"
# Cognito
USER_POOL: Final = "aws:cognito/userPool:UserPool"
USER_POOL_CLIENT: Final = "aws:cognito/userPoolClient:UserPoolClient"
COGNITO_USER: Final = "aws:cognito/user:User"
# RAM
RAM_SHARE: Final = "aws:ram/resourceShare:ResourceShare"
RAM_PRINCIPAL: Final = "aws:ram/principalAssociation:PrincipalAssociation"
RAM_RESOURCE: Final = "aws:ram/resourceAssociation:ResourceAssociation"
# VPCs, their flow logs and default security groups
VPC: Final = "aws:ec2/vpc:Vpc"
FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"
DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
# Transit Gateway routing
TGW_VPC_ATTACHMENT: Final = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
TGW_ROUTE_TABLE: Final = "aws:ec2transitgateway/routeTable:RouteTable"
TGW_DEFAULT_ASSOCIATION: Final = "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation"
TGW_DEFAULT_PROPAGATION: Final = "aws:ec2transitgateway/defaultRouteTablePropagation:DefaultRouteTablePropagation"
TGW_ASSOCIATION: Final = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
TGW_PROPAGATION: Final = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
# Route 53
HOSTED_ZONE: Final = "aws:route53/zone:Zone"
DNS_RECORD: Final = "aws:route53/record:Record"
RESOLVER_RULE: Final = "aws:route53/resolverRule:ResolverRule"
