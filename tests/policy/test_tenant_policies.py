"""The policy pack's tenant rules: a tenant stack keeps to namespaces of its own."""

import json

import pytest

from eksfargate.contract import TENANT_NAMESPACE_SELECTOR, TENANT_PROFILE, PlatformOutput
from offline.harness import STACK_REFERENCE
from policy import offline as policy_offline
from policy.reading import TENANT_PROFILE_OUTPUT, TENANT_SELECTOR_OUTPUT
from tests.policy.engine_args import DEPLOYMENT, deployment, resource, validate_stack
from tests.tenants import TENANT_STACKS, tenant_recording

NAMESPACE = "kubernetes:core/v1:Namespace"
ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
ENTRY = "aws:eks/accessEntry:AccessEntry"
PROFILE = "aws:eks/fargateProfile:FargateProfile"
BUDGET = "kubernetes:policy/v1:PodDisruptionBudget"
EDIT = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
RULES = (
    "tenant-namespaces-follow-platform-rule",
    "tenant-objects-stay-in-own-namespaces",
    "tenant-access-namespace-scoped",
    "tenant-no-fargate-profiles",
)


def platform():
    outputs = {TENANT_PROFILE_OUTPUT: TENANT_PROFILE, TENANT_SELECTOR_OUTPUT: TENANT_NAMESPACE_SELECTOR}
    return resource(STACK_REFERENCE, "platform", {"name": "organization/eks-fargate/shared-dev", "outputs": outputs})


def namespace(name: str):
    return resource(NAMESPACE, name, {"kind": "Namespace", "metadata": {"name": name}})


def association(scope: dict, policy_arn: str = EDIT):
    return resource(ASSOCIATION, "access", {"policyArn": policy_arn, "accessScope": scope, "principalArn": "arn"})


def test_the_pack_and_the_program_name_the_platform_outputs_alike():
    assert (TENANT_PROFILE_OUTPUT, TENANT_SELECTOR_OUTPUT) == (PlatformOutput.TENANT_PROFILE, PlatformOutput.TENANT_SELECTOR)


@pytest.mark.parametrize("stack", TENANT_STACKS)
def test_the_committed_tenants_pass_every_mandatory_rule(stack):
    violations = policy_offline.check(tenant_recording(stack))
    assert [v for v in violations if v.mandatory] == []


def test_a_tenant_workload_is_covered_by_its_platforms_profile_only_in_tenant_namespaces():
    covered = resource(DEPLOYMENT, "web", deployment(namespace="tenant-a"))
    uncovered = resource(DEPLOYMENT, "ops", deployment(namespace="ops"))
    assert validate_stack("fargate-profile-covers-workload", platform(), covered) == []
    ((message, _),) = validate_stack("fargate-profile-covers-workload", platform(), covered, uncovered)
    assert "namespace 'ops'" in message and "tenant-*" in message


@pytest.mark.parametrize("name", ["kube-system", "default", "team-b", "kube-tenant-x"])
def test_a_tenant_namespace_outside_the_platform_rule_fails(name):
    assert validate_stack(RULES[0], platform(), namespace("tenant-a")) == []
    ((message, _),) = validate_stack(RULES[0], platform(), namespace(name))
    assert f"Namespace '{name}' is not a tenant namespace" in message


def test_objects_in_another_namespace_cluster_scoped_objects_and_charts_fail():
    own = namespace("tenant-a")
    inside = resource(DEPLOYMENT, "web", deployment(namespace="tenant-a"))
    assert validate_stack(RULES[1], platform(), own, inside) == []
    elsewhere = resource(DEPLOYMENT, "spy", deployment(namespace="tenant-b"))
    system = resource(DEPLOYMENT, "sys", deployment(namespace="kube-system"))
    binding = resource(ROLE_BINDING, "admin", {"kind": "ClusterRoleBinding", "metadata": {"name": "admin"}})
    chart = resource("kubernetes:helm.sh/v3:Release", "chart", {"chart": "x"})
    reports = validate_stack(RULES[1], platform(), own, inside, elsewhere, system, binding, chart)
    assert sorted(urn for _, urn in reports) == sorted(r.urn for r in (elsewhere, system, binding, chart))


@pytest.mark.parametrize(
    ("scope", "policy_arn", "expected"),
    [
        ({"type": "namespace", "namespaces": ["tenant-a"]}, EDIT, None),
        ({"type": "cluster"}, EDIT, "never the cluster"),
        ({"type": "namespace", "namespaces": ["tenant-*"]}, EDIT, "only namespaces this tenant stack declares"),
        ({"type": "namespace", "namespaces": ["kube-system"]}, EDIT, "only namespaces this tenant stack declares"),
        (
            {"type": "namespace", "namespaces": ["tenant-a"]},
            "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            "AmazonEKSEditPolicy or AmazonEKSViewPolicy",
        ),
    ],
)
def test_access_is_an_edit_or_view_policy_on_own_namespaces(scope, policy_arn, expected):
    messages = [m for m, _ in validate_stack(RULES[2], platform(), namespace("tenant-a"), association(scope, policy_arn))]
    if expected is None:
        assert messages == []
    else:
        assert any(expected in m for m in messages), messages


def test_an_access_entry_with_kubernetes_groups_fails():
    entry = resource(ENTRY, "entry", {"principalArn": "arn", "kubernetesGroups": ["system:masters"]})
    ((message, _),) = validate_stack(RULES[2], platform(), namespace("tenant-a"), entry)
    assert "system:masters" in message


def test_a_tenant_fargate_profile_fails():
    profile = resource(PROFILE, "mine", {"fargateProfileName": "mine", "selectors": [{"namespace": "tenant-a"}]})
    ((message, urn),) = validate_stack(RULES[3], platform(), profile)
    assert urn == profile.urn and "creates or deletes one at a time" in message


@pytest.mark.parametrize("rule", RULES)
def test_tenant_rules_leave_platform_and_dedicated_stacks_alone(rule, dev):
    assert [v for v in policy_offline.check(dev) if v.policy == rule] == []


# --- advisories on tenant stacks (issue 16) ------------------------------------------------------


def test_a_tenant_workload_without_a_budget_gets_the_advisory_from_its_platforms_profile():
    """The pack sees no profile in a tenant stack: it knows the platform's from the StackReference's outputs."""
    web = resource(DEPLOYMENT, "web", deployment(namespace="tenant-a", replicas=2))
    ((message, urn),) = validate_stack("workload-has-disruption-budget", platform(), namespace("tenant-a"), web)
    assert "has no PodDisruptionBudget" in message and urn == web.urn
    budget = resource(
        BUDGET,
        "web",
        {"metadata": {"namespace": "tenant-a"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}}},
    )
    assert validate_stack("workload-has-disruption-budget", platform(), namespace("tenant-a"), web, budget) == []


def test_a_tenant_without_a_team_role_is_told_the_team_cannot_reach_its_namespace():
    ((message, urn),) = validate_stack("tenant-team-has-access", platform(), namespace("tenant-a"))
    assert "no access" in message and "tenant-a" in message and "teamRoleArn" in message
    entry = resource(ENTRY, "access", {"principalArn": "arn:aws:iam::123456789012:role/a"})
    scoped = association({"type": "namespace", "namespaces": ["tenant-a"]})
    assert validate_stack("tenant-team-has-access", platform(), namespace("tenant-a"), entry, scoped) == []


def test_the_team_access_advisory_leaves_platform_and_dedicated_stacks_alone(dev):
    assert [v for v in policy_offline.check(dev) if v.policy == "tenant-team-has-access"] == []


@pytest.mark.parametrize("stack", TENANT_STACKS)
def test_the_committed_tenants_get_neither_advisory(stack):
    names = {v.policy for v in policy_offline.check(tenant_recording(stack))}
    assert not names & {"tenant-team-has-access", "workload-has-disruption-budget"}


def test_a_tenant_with_no_team_role_plans_with_the_advisory():
    from eksfargate.project import TENANT_PROJECT_DIR
    from offline.harness import record

    recording = record("checkout-dev", overrides={"teamRoleArn": ""}, project_dir=TENANT_PROJECT_DIR)
    advisories = [v for v in policy_offline.check(recording) if v.policy == "tenant-team-has-access"]
    assert len(advisories) == 1 and not advisories[0].mandatory


# --- the network boundary ---------------------------------------------------------------------

INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_POLICY = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
OWN_GROUPS = "tenant-security-groups-are-its-own"
NO_CIDR = "tenant-no-inbound-from-address-ranges"


def network(**rule_props):
    """A tenant's platform reference, group, and one rule on that group from `rule_props` (peer by default: itself)."""
    ref = platform()
    group = resource(SECURITY_GROUP, "pods", {"vpcId": "vpc-1"})
    deps = {"securityGroupId": [group]}
    props = {"securityGroupId": "sg-own", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, **rule_props}
    if "referencedSecurityGroupId" not in rule_props and not any(k.startswith(("cidr", "prefix")) for k in rule_props):
        props["referencedSecurityGroupId"] = "sg-own"
        deps["referencedSecurityGroupId"] = [group]
    return ref, group, props, deps


def test_a_tenants_own_rules_and_the_platforms_cluster_group_pass():
    ref, group, props, deps = network()
    on_cluster = resource(INGRESS_RULE, "cluster-dns", {**props, "securityGroupId": "sg-cluster"}, securityGroupId=[ref],
                          referencedSecurityGroupId=[group])  # fmt: skip
    policy = resource(SECURITY_GROUP_POLICY, "policy", {"metadata": {"namespace": "tenant-a"}, "spec": {}}, spec=[group])
    stack = (ref, group, resource(INGRESS_RULE, "self", props, **deps), on_cluster, policy)
    assert validate_stack(OWN_GROUPS, *stack) == [] and validate_stack(NO_CIDR, *stack) == []


def test_a_rule_naming_a_group_typed_in_is_refused():
    ref, group, props, deps = network(referencedSecurityGroupId="sg-0123456789abcdef0")
    ((message, _),) = validate_stack(OWN_GROUPS, ref, group, resource(EGRESS_RULE, "to-ledger", props, **deps))
    assert "sg-0123456789abcdef0" in message and "referencedSecurityGroupId" in message


def test_a_security_group_policy_listing_a_group_not_its_own_is_refused():
    ref, group, _, _ = network()
    policy = resource(SECURITY_GROUP_POLICY, "policy", {"metadata": {"namespace": "tenant-a"}, "spec": {}}, spec=[ref])
    ((message, _),) = validate_stack(OWN_GROUPS, ref, group, policy)
    assert "tenant-a" in message


@pytest.mark.parametrize("source", [{"cidrIpv4": "10.0.0.0/8"}, {"cidrIpv6": "::/0"}, {"prefixListId": "pl-12345678"}])
def test_inbound_from_an_address_range_is_refused(source):
    ref, group, props, deps = network(**source)
    ((message, _),) = validate_stack(NO_CIDR, ref, group, resource(INGRESS_RULE, "from-vpc", props, **deps))
    assert next(iter(source.values())) in message
    # Outbound to the internet is the workload's own business.
    assert validate_stack(NO_CIDR, ref, group, resource(EGRESS_RULE, "to-internet", props, **deps)) == []


# --- secrets: a tenant's IAM policies read its own prefix only -------------------------------------

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECRETS_RULE = "tenant-secrets-within-prefix"
OWN_SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:checkout/db-??????"


def read_policy(action: str, *resources: str):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [action], "Resource": list(resources)}]}
    return resource(ROLE_POLICY, "secrets", {"policy": json.dumps(document), "role": "r"})


def team_namespace():
    return resource(
        NAMESPACE, "ns", {"kind": "Namespace", "metadata": {"name": "tenant-checkout", "labels": {"team": "checkout"}}}
    )


def test_a_tenant_reading_its_own_prefix_passes():
    own = read_policy("secretsmanager:GetSecretValue", OWN_SECRET)
    param = read_policy("ssm:GetParameter", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/checkout/url")
    assert validate_stack(SECRETS_RULE, platform(), team_namespace(), own, param) == []


@pytest.mark.parametrize(
    ("action", "target"),
    [
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ledger/db-??????"),
        ("secretsmanager:*", "*"),
        ("ssm:GetParametersByPath", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/*"),
        ("ssm:GetParameter", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/checkoutx/url"),
        ("*", "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:*"),
    ],
)
def test_a_tenant_policy_reading_outside_its_prefix_is_refused(action, target):
    ((message, _),) = validate_stack(SECRETS_RULE, platform(), team_namespace(), read_policy(action, OWN_SECRET, target))
    assert target in message and "team checkout's own" in message
    # The same on a platform or dedicated stack is not a tenant's business.
    assert validate_stack(SECRETS_RULE, team_namespace(), read_policy(action, target)) == []
