"""DNS rules (`policy/route53.py`): single API hosts, never the whole execute-api domain."""

from __future__ import annotations

import pytest

from policy.resource_types import DNS_RECORD, HOSTED_ZONE, RESOLVER_RULE
from tests.policy.support import check

RULE = "dns-api-host-only"


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (HOSTED_ZONE, {"name": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"}),
        (RESOLVER_RULE, {"domainName": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"}),
        (DNS_RECORD, {"name": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"}),
        (HOSTED_ZONE, {"name": "api.sagemaker.us-east-1.amazonaws.com"}),
        (DNS_RECORD, {"name": "*.studio.us-east-1.sagemaker.aws"}),
    ],
)
def test_single_hosts_and_other_names_pass(resource_type, props):
    assert check(RULE, resource_type, props) == []


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (HOSTED_ZONE, {"name": "execute-api.us-east-1.amazonaws.com"}),
        (HOSTED_ZONE, {"name": "Execute-API.eu-north-1.amazonaws.com."}),
        (RESOLVER_RULE, {"domainName": "execute-api.us-east-1.amazonaws.com"}),
        (DNS_RECORD, {"name": "*.execute-api.us-east-1.amazonaws.com"}),
    ],
)
def test_the_whole_execute_api_domain_fails(resource_type, props):
    [problem] = check(RULE, resource_type, props)
    assert "every execute-api host of the region" in problem and "<api-id>." in problem
