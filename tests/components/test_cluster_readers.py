"""The verifiers' access (verifierPrincipalArns): an EKS access entry per principal in a Kubernetes group,
and the group bound cluster-wide to a ClusterRole that lists what `python -m verify` reads (the table in
eksfargate/facts/cluster_reads.py, which tests/tools/verify/test_cluster_reads.py holds to verify's
requests), and nothing that writes or reads a Secret. Over every stack file: a stack without the setting
has none of it."""

import json

from components.cluster_readers import principal_key
from eksfargate.facts.cluster_reads import RESERVED_PREFIXES, VERIFIER_GROUP, VERIFIER_ROLE, VERIFY_READS, verifier_rules
from eksfargate.facts.resource_types import ACCESS_ENTRY, ACCESS_POLICY_ASSOCIATION
from tests.stackfacts import cluster_name, setting

COMPONENT = "eksfargate:cluster:ClusterReaders"
CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
READ_VERBS = {"get", "list", "watch"}
# What a read-only role for checks must never reach: Secrets (AmazonEKSAdminViewPolicy's reason to
# avoid it), ConfigMaps, and a node's kubelet through the API server's proxy.
NEVER = {"secrets", "configmaps", "nodes/proxy"}


def verifiers(stack) -> list[str]:
    return json.loads(setting(stack, "verifierPrincipalArns"))


def verifier_role(stack):
    return [r for r in stack.of_type(CLUSTER_ROLE) if r.inputs["metadata"]["name"] == VERIFIER_ROLE]


def verifier_binding(stack):
    return [r for r in stack.of_type(CLUSTER_ROLE_BINDING) if r.inputs["metadata"]["name"] == VERIFIER_ROLE]


def grants(rules: list[dict]) -> set[tuple[str, str, str]]:
    """(API group, resource, verb) for every combination the rules allow."""
    return {
        (group, resource, verb)
        for rule in rules
        for group in rule.get("apiGroups", [])
        for resource in rule.get("resources", [])
        for verb in rule.get("verbs", [])
    }


def test_each_verifier_gets_a_standard_entry_in_the_group_and_no_access_policy(stack):
    arns = verifiers(stack)
    entries = [e for e in stack.of_type(ACCESS_ENTRY) if VERIFIER_GROUP in (e.inputs.get("kubernetesGroups") or [])]
    assert sorted(e.inputs["principalArn"] for e in entries) == sorted(arns)
    for entry in entries:
        assert entry.inputs["type"] == "STANDARD"
        assert entry.inputs["kubernetesGroups"] == [VERIFIER_GROUP]
        assert entry.inputs["clusterName"] == cluster_name(stack)
    associated = {a.inputs["principalArn"] for a in stack.of_type(ACCESS_POLICY_ASSOCIATION)}
    assert not associated & set(arns)
    assert len(stack.of_type(COMPONENT)) == (1 if arns else 0)


def test_the_group_is_bound_cluster_wide_to_the_verifier_role_alone(stack):
    if not verifiers(stack):
        assert verifier_role(stack) == [] and verifier_binding(stack) == []
        return
    (role,) = verifier_role(stack)
    (binding,) = verifier_binding(stack)
    assert role.inputs["rules"] == verifier_rules()
    assert binding.inputs["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": VERIFIER_ROLE}
    assert binding.inputs["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": VERIFIER_GROUP}]
    assert role.provider == binding.provider and role.provider is not None


def test_the_rules_grant_every_read_of_verify_and_nothing_else():
    granted = grants(verifier_rules())
    wanted = {(read.group, read.resource, "list") for read in VERIFY_READS}
    assert wanted <= granted
    assert {verb for _, _, verb in granted} <= READ_VERBS
    assert {(group, resource) for group, resource, _ in granted} == {(group, resource) for group, resource, _ in wanted}


def test_the_rules_read_no_secret_and_use_no_wildcard():
    rules = verifier_rules()
    granted = grants(rules)
    assert not {resource for _, resource, _ in granted} & NEVER
    assert all("/" not in resource for _, resource, _ in granted)
    assert all("*" not in part for grant in granted for part in grant)
    assert all(set(rule) == {"apiGroups", "resources", "verbs"} for rule in rules)


def test_no_name_is_one_kubernetes_or_eks_reserves():
    for name in (VERIFIER_GROUP, VERIFIER_ROLE):
        assert not name.startswith(RESERVED_PREFIXES)
        assert ":" not in name


def test_entries_of_principals_differing_in_account_or_path_have_distinct_names():
    arns = [
        "arn:aws:iam::123456789012:role/ci/pulumi-drift",
        "arn:aws:iam::123456789012:role/platform/pulumi-drift",
        "arn:aws:iam::210987654321:role/ci/pulumi-drift",
        "arn:aws:iam::123456789012:user/pulumi-drift",
    ]
    keys = [principal_key(arn) for arn in arns]
    assert len(set(keys)) == len(arns)
    assert all(key.replace("-", "").isalnum() for key in keys)
