"""What a diff must neither hide nor misstate: a stack that exists nowhere, a cluster or a VPC or
a log group that goes, the outputs tenants read, what the providers really replace, secrets."""

import copy
import functools
import ipaddress
from typing import Any

import pytest

from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.stack_catalog import project, stack_files, tenants
from offline import diff as offline_diff
from offline import diff_command, diff_data, diff_render, diff_tenancy, plan_document
from offline import plan as offline_plan
from offline import revisions as offline_revisions
from offline.__main__ import main as offline_main
from offline.comment_scripts import markdown
from tests.recordings import planned
from tests.stackfacts import PINNED_DEV
from tests.tools.offline.test_plan import dev_plan


@functools.cache
def moved_vpc() -> offline_diff.StackDiff:
    """dev (unprotected) with another vpcCidr: the VPC, its subnets and the cluster are replaced."""
    new = planned("dev", stack_file=PINNED_DEV, overrides={"vpcCidr": "10.11.0.0/16"})
    return offline_diff.compare(dev_plan(), new, "dev", ("old", "new"))


@functools.cache
def tenant() -> tuple[str, dict, dict, dict]:
    """A tenant stack file's plan, and its platform's plans as it is and in another VPC (a new VPC, so a new cluster)."""
    first = tenants()[0]
    (platform,) = [s for s in stack_files(TENANT_PROJECT_DIR.parent) if s.stack == first.platform]
    current = ipaddress.ip_network(str(project(TENANT_PROJECT_DIR.parent).setting(platform, "vpcCidr")))
    other = next(n for n in ipaddress.ip_network("10.0.0.0/8").subnets(new_prefix=16) if not n.overlaps(current))
    old = planned(first.platform)
    new = planned(first.platform, overrides={"vpcCidr": str(other)})
    return first.stack, planned(first.stack, project_dir=TENANT_PROJECT_DIR), old, new


def section(diff: offline_diff.StackDiff) -> list[str]:
    return diff_render.render([diff]).split(f"### Stack <code>{diff.stack}</code>", 1)[1].splitlines()[1:]


def why_of(entry: offline_diff.ResourceChange) -> str:
    """The resource table's last cell for it."""
    return markdown._why(diff_data.resource(entry))


def test_a_stack_that_exists_on_neither_side_is_an_error(capsys):
    assert offline_main(["diff", "HEAD:paymnets-dev", ":paymnets-dev"]) == 2
    err = capsys.readouterr().err
    assert "paymnets-dev" in err and "payments-dev" in err and err.startswith("error: ")


def test_replacing_the_cluster_and_the_vpc_is_announced_at_the_top_of_the_stack(tmp_path):
    diff = moved_vpc()
    replaced = {(e.resource["type"], e.op) for e in diff.resources}
    assert ("eks:index:Cluster", "replace") in replaced and ("aws:ec2/vpc:Vpc", "replace") in replaced
    lines = [line for line in section(diff) if line.strip()]
    assert lines[0] == "> [!CAUTION]"
    alert = " ".join(line for line in lines if line.startswith(">"))
    assert "cluster" in alert and "VPC" in alert
    assert "--replace" not in diff_render.render([diff])
    assert "new stack" in alert and "destroy" in alert


def test_a_fixed_name_replacement_is_shown_as_delete_then_create_with_its_outage():
    (cluster,) = [e for e in moved_vpc().resources if e.resource["type"] == "eks:index:Cluster"]
    why = why_of(cluster)
    assert "delete, then create" in why and "create, then delete" not in why
    assert "outage" in why


def test_the_outputs_tenants_read_are_listed_when_their_source_is_replaced():
    changed = {change.path for change in moved_vpc().outputs}
    assert {"vpcId", "privateSubnetIds", "publicSubnetIds", "oidcIssuer", "kubeconfig", "ingressUrl"} <= changed


def test_deleting_the_pod_log_group_is_announced_protected_or_not():
    off = planned("dev", stack_file=PINNED_DEV, overrides={"fargateLogging": False})
    diff = offline_diff.compare(dev_plan(), off, "dev")
    assert any(e.op == "delete" and e.resource["type"] == "aws:cloudwatch/logGroup:LogGroup" for e in diff.resources)
    lines = [line for line in section(diff) if line.strip()]
    assert lines[0] == "> [!CAUTION]" and "log" in " ".join(line for line in lines if line.startswith(">"))


def plan_of(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"stack": "t", "config": {}, "outputs": {}, "resources": list(resources)}


def resource(type_: str, name: str, inputs: dict[str, Any], provider: str | None = None) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:t::p::{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": True,
        "provider": provider,
        "inputs": inputs,
    }


def kubeconfig(server: str, token: str) -> str:
    return (
        '{"apiVersion":"v1","kind":"Config","current-context":"c",'
        '"clusters":[{"name":"k","cluster":{"server":"' + server + '","certificate-authority-data":"Q0E="}}],'
        '"contexts":[{"name":"c","context":{"cluster":"k","user":"u"}}],'
        '"users":[{"name":"u","user":{"exec":{"command":"aws","args":["eks","get-token","--token","' + token + '"]}}}]}'
    )


@pytest.mark.parametrize(
    "server,token,op",
    [("https://a.example", "t2", "update"), ("https://b.example", "t1", "replace")],
    ids=["new-credentials-update", "new-server-replaces"],
)
def test_the_kubernetes_provider_is_replaced_only_when_its_cluster_changes(server, token, op):
    provider = "urn:pulumi:t::p::pulumi:providers:kubernetes::k8s"
    namespace = {"metadata": {"name": "team"}}

    def side(config: str) -> dict[str, Any]:
        return plan_of(
            resource("pulumi:providers:kubernetes", "k8s", {"kubeconfig": config}),
            resource("kubernetes:core/v1:Namespace", "team", namespace, provider=provider),
        )

    diff = offline_diff.compare(side(kubeconfig("https://a.example", "t1")), side(kubeconfig(server, token)))
    ops = {e.resource["name"]: e.op for e in diff.resources}
    assert ops["k8s"] == op
    assert ops["team"] == ("replace" if op == "replace" else "same")


def test_pulumi_eks_ignores_bootstrap_self_managed_addons():
    def side(value: bool) -> dict[str, Any]:
        return plan_of(resource("eks:index:Cluster", "cluster", {"name": "c", "bootstrapSelfManagedAddons": value}))

    diff = offline_diff.compare(side(False), side(True))
    assert [e.op for e in diff.resources] == ["same"]


def test_a_cluster_scoped_object_has_no_namespace_to_change_and_an_unset_one_is_default():
    def side(namespace_meta: dict[str, Any], deployment_meta: dict[str, Any]) -> dict[str, Any]:
        return plan_of(
            resource("kubernetes:core/v1:Namespace", "ns", {"metadata": {"name": "team", **namespace_meta}}),
            resource("kubernetes:apps/v1:Deployment", "app", {"metadata": {"name": "app", **deployment_meta}}),
        )

    diff = offline_diff.compare(side({}, {}), side({"namespace": "other"}, {"namespace": "default"}))
    assert {e.resource["name"]: e.op for e in diff.resources} == {"ns": "same", "app": "same"}


def with_secret(tmp_path, key: str) -> Any:
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(PINNED_DEV.read_text() + f"  {key}:\n    secure: v1:AAAABBBBCCCC\n")
    return stack_file


def test_a_secure_value_is_planned_as_a_secret_placeholder(tmp_path):
    plan = offline_plan.build("dev", stack_file=with_secret(tmp_path, "aws:secretKey"))
    assert plan["config"]["aws:secretKey"] == "[secret]"


def test_a_secure_value_the_program_must_read_is_refused_naming_its_key(tmp_path):
    with pytest.raises(plan_document.PlanError, match="owner.*secure") as refused:
        offline_plan.build("dev", stack_file=with_secret(tmp_path, "eks-fargate:owner"))
    assert "AAAABBBBCCCC" not in str(refused.value)


def test_a_platform_change_lists_the_tenants_that_read_its_changed_outputs(tmp_path):
    _, _, old, new = tenant()  # a platform that serves tenants, and in another VPC
    (tmp_path / "Pulumi.yaml").write_text((TENANT_PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.web-dev.yaml").write_text(
        f"config:\n  eks-fargate-tenant:platformStack: {old['stack']}\n  eks-fargate-tenant:team: web\n"
    )
    diff = offline_diff.compare(old, new, old["stack"])
    diff_tenancy.add_tenant_reads([diff], tmp_path)
    reads = {output: stacks for output, stacks, _ in diff.tenant_reads}
    assert reads["kubeconfig"] == reads["oidcIssuer"] == reads["vpcId"] == ["web-dev"]
    assert "privateSubnetIds" not in reads  # an output no tenant reads
    assert "Tenant stacks that read the changed outputs" in diff_render.render([diff])


def test_a_replacement_under_a_new_name_creates_first():
    """The old object keeps its name until the new one, under another name, exists (pulumi-kubernetes Diff)."""

    def side(name: str, data: str) -> dict[str, Any]:
        return plan_of(resource("kubernetes:core/v1:ConfigMap", "conf", {"metadata": {"name": name}, "data": {"a": data}}))

    (same_name,) = offline_diff.compare(side("conf", "1"), side("conf", "2")).resources
    (new_name,) = offline_diff.compare(side("conf-1", "1"), side("conf-2", "2")).resources
    assert same_name.op == new_name.op == "replace"
    assert "delete, then create" in why_of(same_name)
    assert "create, then delete" in why_of(new_name) and "outage" not in why_of(new_name)


def test_a_secret_masked_without_its_sources_is_the_same_secret():
    """Plans made before masks named their placeholders show "[secret]": that is no change, and no new cluster."""
    provider = "urn:pulumi:t::p::pulumi:providers:kubernetes::k8s"

    def side(kubeconfig: str) -> dict[str, Any]:
        return plan_of(
            resource("pulumi:providers:kubernetes", "k8s", {"kubeconfig": kubeconfig}),
            resource("kubernetes:core/v1:Namespace", "team", {"metadata": {"name": "team"}}, provider=provider),
        )

    masked = "[secret, from {{Cluster:cluster-eks.kubeconfigJson}}]"
    assert {e.op for e in offline_diff.compare(side("[secret]"), side(masked)).resources} == {"same"}
    other = "[secret, from {{Cluster:other-eks.kubeconfigJson}}]"
    assert {e.resource["name"]: e.op for e in offline_diff.compare(side(masked), side(other)).resources}["k8s"] == "replace"


def test_a_tenant_whose_platform_replaces_its_cluster_is_replaced_with_it_and_says_why():
    stack, plan, old, new = tenant()
    change = diff_tenancy.platform_change(old, new, plan)
    sides = offline_revisions.Side("old", plan=plan), offline_revisions.Side("new", plan=copy.deepcopy(plan))
    diff = diff_command.pair(*sides, stack, change)
    ops = {(e.resource["type"], e.resource["name"]): e.op for e in diff.resources}
    assert diff.changed
    # Its objects are created again on the new cluster: its Kubernetes provider points there, and what EKS kept
    # for it on the old cluster (its access entry) goes with that.
    on_cluster = [
        r for r in plan["resources"] if r["type"].startswith("kubernetes:") or r["type"] == "pulumi:providers:kubernetes"
    ]
    cluster_name = new["outputs"]["clusterName"]
    kept = [r for r in plan["resources"] if r["type"].startswith("aws:eks/") and r["inputs"].get("clusterName") == cluster_name]
    assert on_cluster and all(ops[r["type"], r["name"]] == "replace" for r in on_cluster + kept)
    # The reason: which outputs it reads change, and from which platform change.
    assert diff.platform == old["stack"]
    reads = {read.path: read.note for read in diff.platform_reads}
    assert "kubeconfig" in reads and "Cluster:cluster-eks" in reads["kubeconfig"]
    # Only what reaches it: an output whose new value comes after deploy is listed if the tenant holds that value.
    held = {ref for r in plan["resources"] for ref in plan_document.placeholders(r["inputs"])}
    after_deploy = [read for read in diff.platform_reads if read.note.startswith("new value (known after deploy)")]
    assert all(set(plan_document.placeholders(read.new)) & held for read in after_deploy)
    shown = "\n".join(section(diff))
    assert f"<code>{old['stack']}</code>" in shown and "<code>kubeconfig</code>" in shown and "wave after" in shown


def test_a_tenant_is_unchanged_when_what_it_reads_from_its_platform_is():
    stack, plan, old, _ = tenant()
    change = diff_tenancy.platform_change(old, copy.deepcopy(old), plan)
    sides = offline_revisions.Side("old", plan=plan), offline_revisions.Side("new", plan=copy.deepcopy(plan))
    diff = diff_command.pair(*sides, stack, change)
    assert not diff.changed and not diff.platform_reads


def test_a_tenant_that_moves_to_another_platform_is_created_again_on_its_cluster():
    """Both platforms' outputs read the same placeholders (`{{Cluster:cluster-eks.…}}`): they are other resources all the same."""
    stack, plan, old, _ = tenant()
    change = diff_tenancy.platform_change(old, dev_plan(), plan)
    sides = offline_revisions.Side("old", plan=plan), offline_revisions.Side("new", plan=copy.deepcopy(plan))
    diff = diff_command.pair(*sides, stack, change)
    ops = {(e.resource["type"], e.resource["name"]): e.op for e in diff.resources}
    objects = [r for r in plan["resources"] if r["type"].startswith("kubernetes:")]
    assert objects and all(ops[r["type"], r["name"]] == "replace" for r in objects)
    assert diff.platform == dev_plan()["stack"] and all(old["stack"] in read.note for read in diff.platform_reads)
