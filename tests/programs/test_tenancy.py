"""Teams as tenants of one shared platform stack: each kept to its own namespace, and sharing the platform's ALB.

The tenant project (tenant/) runs in this process like the platform project: it imports the
same shared modules from this checkout, and the harness answers its StackReference from the
platform stack's own offline plan (made once per session, in a process of its own).
"""

import ast
import json
from pathlib import Path

import yaml

from eksfargate import platform_reference
from eksfargate.contract import (
    ACCESS_POLICIES,
    ACCESS_POLICY_ARN_PREFIX,
    TENANT_NAMESPACE_SELECTOR,
    TENANT_READS,
    PlatformOutput,
    host_annotation,
    selector_covers,
)
from eksfargate.facts.pod_placement import READINESS_GATE_LABEL
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.settings import SettingsError
from offline.harness import PROJECT_DIR, Recording, record
from tests.components.test_ingress_guardrails import refusals
from tests.tenants import (
    ASSOCIATION,
    CERTIFICATE,
    ENTRY,
    INGRESS,
    LIMIT_RANGE,
    NAMESPACE,
    PROJECT,
    QUOTA,
    TENANT_STACKS,
    config,
    namespace_of,
    platform_outputs,
    tenant_recording,
)

# Where tests/components/test_dashboard.py and test_app_alarms.py, tests/tools/offline/test_registry.py and
# test_secrets_report.py import the tenants' helpers from still (tests.tenants holds them).


def test_two_example_tenants_share_one_platform_stack():
    platforms = {config(tenant_recording(stack), "platformStack") for stack in TENANT_STACKS}
    assert len(TENANT_STACKS) >= 2 and len(platforms) == 1
    (platform,) = platforms
    platform_file = yaml.safe_load((PROJECT_DIR / f"Pulumi.{platform}.yaml").read_text())["config"]
    assert platform_file["eks-fargate:servesTenants"] is True


# --- isolation ------------------------------------------------------------------------------


def test_every_object_lives_in_the_tenants_own_namespace(tenant):
    namespace = namespace_of(tenant)
    assert selector_covers(TENANT_NAMESPACE_SELECTOR, namespace)
    for resource in tenant.resources:
        if resource.type.startswith("kubernetes:") and resource.custom and resource.type != NAMESPACE:
            assert resource.inputs["metadata"]["namespace"] == namespace, resource.name
    kinds = {r.type.split(":")[-1] for r in tenant.resources if r.type.startswith("kubernetes:") and r.custom}
    assert not kinds & {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}


def test_the_namespace_carries_team_and_cost_labels(tenant):
    labels = tenant.one(NAMESPACE).inputs["metadata"]["labels"]
    team = {"team": config(tenant, "team"), "cost-center": config(tenant, "costCenter") or config(tenant, "team")}
    assert labels == {**team, **READINESS_GATE_LABEL, **RESTRICTED_NAMESPACE_LABELS}


def test_the_access_entry_is_scoped_to_the_tenants_namespace_only(tenant):
    entry, association = tenant.one(ENTRY).inputs, tenant.one(ASSOCIATION).inputs
    assert entry["principalArn"] == association["principalArn"] == config(tenant, "teamRoleArn")
    assert association["accessScope"] == {"type": "namespace", "namespaces": [namespace_of(tenant)]}
    assert association["policyArn"] == ACCESS_POLICY_ARN_PREFIX + ACCESS_POLICIES[config(tenant, "accessLevel")]
    assert association["clusterName"] == platform_outputs(tenant)["clusterName"]


def test_the_quota_caps_pods_cpu_and_memory(tenant):
    quota = tenant.one(QUOTA).inputs["spec"]["hard"]
    assert quota["pods"] == config(tenant, "quotaPods")
    for resource in ("cpu", "memory"):
        setting = config(tenant, "quotaCpu" if resource == "cpu" else "quotaMemory")
        assert quota[f"requests.{resource}"] == quota[f"limits.{resource}"] == setting


def test_the_limit_range_gives_every_container_default_requests_equal_to_limits(tenant):
    (limits,) = tenant.one(LIMIT_RANGE).inputs["spec"]["limits"]
    assert limits["type"] == "Container"
    assert set(limits["defaultRequest"]) == {"cpu", "memory"}
    assert limits["defaultRequest"] == limits["default"]


def test_the_irsa_role_trusts_one_service_account_of_the_namespace_through_the_platforms_provider():
    recording = tenant_recording("checkout-dev")
    role = recording.one("aws:iam/role:Role", "service-account-irsa")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    outputs = platform_outputs(recording)
    issuer = outputs["oidcIssuer"]
    assert statement["Principal"] == {"Federated": outputs["oidcProviderArn"]}
    account = config(recording, "serviceAccount")
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer}:sub": f"system:serviceaccount:{namespace_of(recording)}:{account}",
        f"{issuer}:aud": "sts.amazonaws.com",
    }


# --- the shared ALB -------------------------------------------------------------------------


def test_shared_tenants_join_the_platforms_ingress_group_with_their_own_host_and_order(tenant):
    annotations = tenant.one(INGRESS).inputs["metadata"]["annotations"]
    (rule,) = tenant.one(INGRESS).inputs["spec"]["rules"]
    if config(tenant, "albMode") == "shared":
        assert annotations["alb.ingress.kubernetes.io/group.name"] == platform_outputs(tenant)["sharedAlbGroup"]
        assert annotations["alb.ingress.kubernetes.io/group.order"] == config(tenant, "albGroupOrder")
        assert rule["host"] == config(tenant, "host")
    else:
        assert "alb.ingress.kubernetes.io/group.name" not in annotations


def test_the_platforms_admission_policy_admits_the_ingress_each_tenant_declares_in_its_namespace(tenant):
    """What the tenant writes on its namespace (its host) and its Ingress pass the platform's policy."""
    namespace = tenant.one(NAMESPACE).inputs
    assert namespace["metadata"]["annotations"] == {"owner": config(tenant, "owner"), **host_annotation(config(tenant, "host"))}
    assert refusals(tenant.one(INGRESS).inputs, namespace) == []


def shared_alb_members() -> dict[str, list[Recording]]:
    """Every committed tenant on a shared ALB, by its platform stack."""
    members: dict[str, list[Recording]] = {}
    for stack in TENANT_STACKS:
        recording = tenant_recording(stack)
        if config(recording, "albMode") == "shared":
            members.setdefault(config(recording, "platformStack"), []).append(recording)
    return members


def test_the_tenants_of_a_shared_alb_agree_on_its_listeners_and_each_brings_its_own_certificate():
    """What the controller merges into one ALB (components/ingress.py) cannot conflict: one redirect setting,
    one protocol per port, distinct hosts; each TLS tenant's certificate joins the HTTPS listener."""
    for platform, members in shared_alb_members().items():
        annotations = [m.one(INGRESS).inputs["metadata"]["annotations"] for m in members]
        redirect = {a.get("alb.ingress.kubernetes.io/ssl-redirect") for a in annotations}
        assert len(redirect) == 1, f"{platform}'s shared ALB: tenants disagree on ssl-redirect {redirect}"
        per_port: dict[int, str] = {}
        for a in annotations:
            for listener in json.loads(a.get("alb.ingress.kubernetes.io/listen-ports", '[{"HTTP": 80}]')):
                for protocol, port in listener.items():
                    assert per_port.setdefault(port, protocol) == protocol, f"{platform}: port {port} is HTTP and HTTPS"
        hosts = [m.one(INGRESS).inputs["spec"]["rules"][0]["host"] for m in members]
        assert len(set(hosts)) == len(hosts)
        for member, found in zip(members, annotations, strict=True):
            if config(member, "certificateArn") or config(member, "hostedZone"):
                certificate = found["alb.ingress.kubernetes.io/certificate-arn"]
                assert certificate == (config(member, "certificateArn") or member.one(CERTIFICATE).outputs["arn"])


def test_two_tenants_on_tls_plan_the_shared_alb_with_both_certificates():
    """The committed example: checkout's certificate is made in its hosted zone, ledger's is one it has."""
    checkout, ledger = tenant_recording("checkout-dev"), tenant_recording("ledger-dev")
    certificates = {
        r.one(INGRESS).inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] for r in (checkout, ledger)
    }
    assert certificates == {checkout.one(CERTIFICATE).outputs["arn"], config(ledger, "certificateArn")}
    assert ledger.of_type(CERTIFICATE) == []
    assert {r.outputs["url"] for r in (checkout, ledger)} == {
        "https://checkout.apps.example.com",
        "https://ledger.apps.example.com",
    }


def test_a_shared_alb_tenant_whose_tls_differs_from_the_others_or_whose_host_is_taken_fails():
    members = shared_alb_members()
    platform, tenants_of = next((p, m) for p, m in members.items() if len(m) >= 2)
    first, other = tenants_of[0], tenants_of[1]
    tls = bool(config(first, "certificateArn") or config(first, "hostedZone"))
    flipped = (
        {"certificateArn": "", "hostedZone": "", "dnsRecord": False}
        if tls
        else {"certificateArn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/4f0c8a2e-9b7d-4c1e-8a3f-2d6e5b7c9a10"}
    )
    recording = record(first.stack, overrides=flipped, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(recording.error, SettingsError)
    assert recording.error.key == f"{PROJECT}:certificateArn"
    assert other.stack in recording.error.allowed and "redirect" in recording.error.allowed
    taken = record(first.stack, overrides={"host": config(other, "host")}, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(taken.error, SettingsError) and taken.error.key == f"{PROJECT}:host"
    assert other.stack in taken.error.allowed


def test_an_own_alb_tenant_gets_no_group():
    recording = record(
        "ledger-dev",
        overrides={"albMode": "own", "host": "", "certificateArn": "", "hostedZone": "", "dnsRecord": False},
        project_dir=TENANT_PROJECT_DIR,
    )
    assert recording.error is None
    annotations = recording.one(INGRESS).inputs["metadata"]["annotations"]
    assert "alb.ingress.kubernetes.io/group.name" not in annotations
    assert "host" not in recording.one(INGRESS).inputs["spec"]["rules"][0]


def test_the_contract_lists_every_platform_output_the_tenant_program_reads():
    """TENANT_READS is what the diff lists under a platform whose outputs change: it must name all the tenant reads."""
    read = set()
    for path in (TENANT_PROJECT_DIR / "__main__.py", Path(platform_reference.__file__)):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "PlatformOutput":
                read.add(getattr(PlatformOutput, node.attr))
    assert read == set(TENANT_READS)
