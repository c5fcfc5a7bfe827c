"""SageMaker rules (`policy/sagemaker.py`)."""

from __future__ import annotations

from policy.resource_types import DOMAIN
from tests.policy.support import check


def test_domains_must_be_vpc_only():
    assert check("sagemaker-domain-vpc-only", DOMAIN, {"appNetworkAccessType": "VpcOnly", "authMode": "IAM"}) == []
    [problem] = check("sagemaker-domain-vpc-only", DOMAIN, {"appNetworkAccessType": "PublicInternetOnly"})
    assert "use VpcOnly" in problem
    assert check("sagemaker-domain-vpc-only", DOMAIN, {"authMode": "IAM"})
