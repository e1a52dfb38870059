"""Every IAM role a pod assumes (IRSA) trusts exactly one service account of one namespace, and only STS's audience.

Asserted over every committed stack file of both projects: EKS's user guide ("Assign IAM roles to Kubernetes
service accounts") conditions the web identity on the token's `sub`
(system:serviceaccount:<namespace>:<name>) and `aud` (sts.amazonaws.com); without `sub`, any pod of the
cluster could take the role.
"""

import json
import re

import pytest

from tests.tenants import TENANT_STACKS, tenant_recording

ROLE = "aws:iam/role:Role"
SUBJECT = re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$")


def web_identity_statements(recording):
    for role in recording.of_type(ROLE):
        document = json.loads(role.inputs["assumeRolePolicy"])
        for statement in document["Statement"]:
            if statement["Action"] == "sts:AssumeRoleWithWebIdentity" or "sts:AssumeRoleWithWebIdentity" in statement["Action"]:
                yield role.name, statement


@pytest.fixture(scope="module", params=["platform", *TENANT_STACKS])
def recordings(request, committed):
    return list(committed.values()) if request.param == "platform" else [tenant_recording(request.param)]


def test_every_irsa_role_trusts_one_service_account_of_one_namespace(recordings):
    found = 0
    for recording in recordings:
        for name, statement in web_identity_statements(recording):
            found += 1
            assert statement["Effect"] == "Allow"
            assert set(statement["Condition"]) == {"StringEquals"}, name  # no StringLike wildcards
            conditions = statement["Condition"]["StringEquals"]
            subjects = [value for key, value in conditions.items() if key.endswith(":sub")]
            audiences = [value for key, value in conditions.items() if key.endswith(":aud")]
            assert len(subjects) == 1 and isinstance(subjects[0], str) and SUBJECT.match(subjects[0]), (name, subjects)
            assert audiences == ["sts.amazonaws.com"], name
            # Both keys are one issuer's; where the provider's ARN is known, the one it names.
            issuers = {key.rsplit(":", 1)[0] for key in conditions}
            assert len(issuers) == 1, name
            principal = statement["Principal"]["Federated"]
            if ":oidc-provider/" in principal:
                assert issuers == {principal.split(":oidc-provider/", 1)[1]}, name
    # Every platform runs the load balancer controller with IRSA; a tenant may have no role.
    assert found or recordings[0].project != "eks-fargate", "no IRSA role in these stacks"
