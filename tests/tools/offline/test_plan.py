"""The offline plan: deterministic files, no made-up cloud values, valid manifests, a clean settings error."""

import functools
import json
from pathlib import Path

import pytest
import yaml

from cost import from_recording
from offline import plan as offline_plan
from offline import plan_document, plan_files
from offline.__main__ import main as offline_main
from offline.harness import PROJECT_DIR, Recording
from tests import kubernetes_schemas
from tests.stackfacts import PINNED_DEV

PROFILE = "aws:eks/fargateProfile:FargateProfile"


@functools.cache
def recording_here(stack: str, stack_file: Path | None = None) -> Recording:
    """The stack file's recording a plan is made from (`offline_plan.record_stack`), made in this process
    (the SDKs loaded as Pulumi does) once per test session and test worker."""
    return offline_plan.record_stack(stack, stack_file=stack_file)


@functools.cache
def plan_here(stack: str, stack_file: Path | None = None) -> dict:
    """The stack file's plan (`offline_plan.build`), from `recording_here`: test_capacity.py and
    test_sdk_loader.py read it too."""
    return offline_plan.from_recording(recording_here(stack, stack_file))


def plan_command_records_once(monkeypatch, stack: str, stack_file: Path) -> None:
    """The plan command (main()) given `recording_here`'s recording of the stack file instead of making
    its own: for what the command does with a recording, shown without recording the stack again. The
    recording is made before the patch: recording_here calls record_stack, which is then the patch."""
    wanted, recording = stack_file, recording_here(stack, stack_file)

    def record_stack(name: str, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None) -> Recording:
        assert (name, project_dir, stack_file) == (stack, PROJECT_DIR, wanted), "the command records another stack"
        return recording

    monkeypatch.setattr(offline_plan, "record_stack", record_stack)


def dev_plan() -> dict:
    """The plan of dev's pinned values (tests/data/stacks/Pulumi.dev.yaml), built once per test session
    (test_diff.py uses it too)."""
    return plan_here("dev", PINNED_DEV)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan-dev")
    offline_plan.write(dev_plan(), out)
    return out


def all_text(out: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(out.rglob("*")) if path.is_file())


def test_plan_files_are_byte_identical_across_runs(dev, written, plan_alone):
    # Another process, another hash seed (tests/conftest.py, PLAN_ALONE_HASH_SEED), registration order
    # left to the SDK, and the SDKs loaded as the command loads them (offline/sdk_loader.py), where this
    # process loads them as Pulumi does. The plan command's process is shared with test_worker.py and
    # test_sdk_loader.py.
    alone = plan_alone("dev", PROJECT_DIR, PINNED_DEV)
    assert alone.status == 0, alone.stderr
    ours = {p.relative_to(written): p.read_bytes() for p in written.rglob("*") if p.is_file()}
    theirs = {p.relative_to(alone.out): p.read_bytes() for p in alone.out.rglob("*") if p.is_file()}
    # The command also runs the policy pack: the dev stack breaks no mandatory rule.
    report = theirs.pop(Path("policy.txt")).decode()
    assert report.strip() and "mandatory" not in report
    # ... and prices it: the breakdown's total is `python -m cost`'s for the same stack file.
    breakdown = theirs.pop(Path("cost.txt")).decode()
    total = next(line for line in breakdown.splitlines() if line.split()[:1] == ["total"])
    assert total.split()[-1] == f"${from_recording(dev).total_usd:,.2f}"
    # ... and checks the subnets hold its pods.
    assert theirs.pop(Path("capacity.txt")).decode().rstrip().endswith(": OK")
    # ... and shows which namespace's pods reach which ports of which other's.
    assert "| from \\ to |" in theirs.pop(Path("reachability.md")).decode()
    assert sorted(ours) == sorted(theirs)
    assert {str(p) for p in ours} >= {"plan.json", "manifests.yaml", "diagram.mmd", "iam/attachments.json"}
    for name, data in ours.items():
        assert data == theirs[name], f"{name} differs between two runs"


def test_plan_has_every_registration_sorted_with_parents_and_dependencies(dev):
    resources = dev_plan()["resources"]
    urns = [r["urn"] for r in resources]
    assert urns == sorted(r.urn for r in dev.resources)
    by_urn = {r["urn"]: r for r in resources}
    for recorded in dev.resources:
        planned = by_urn[recorded.urn]
        assert (planned["type"], planned["name"], planned["parent"]) == (recorded.type, recorded.name, recorded.parent)
        assert planned["dependencies"] == sorted(recorded.dependencies)
    # Numbers come back from the engine as floats: the plan says 5, not 5.0.
    autoscaler = next(r for r in resources if r["type"] == "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert autoscaler["inputs"]["spec"]["minReplicas"] == 5 and isinstance(autoscaler["inputs"]["spec"]["minReplicas"], int)


def test_values_known_only_after_deploy_are_never_made_up(dev, written):
    text = all_text(written) + offline_plan.render_tree(dev_plan())
    made_up = {r.id for r in dev.resources if r.id}
    made_up |= {
        str(r.outputs[key]) for r in dev.resources for key in ("arn", "oidcProviderArn", "oidcIssuer") if key in r.outputs
    }
    made_up |= {dev.outputs["ingressUrl"], "123456789012"}
    assert not {value for value in made_up if value in text}
    by_name = {(r["type"], r["name"]): r["inputs"] for r in dev_plan()["resources"]}
    assert by_name[("aws:ec2/subnet:Subnet", "network-private-ap-northeast-2a")]["vpcId"] == "{{Vpc:network-vpc.id}}"
    assert by_name[(PROFILE, "fargate-workloads")]["podExecutionRoleArn"] == "{{Role:fargate-pod-execution.arn}}"
    assert dev_plan()["outputs"]["ingressUrl"] == "http://{{Ingress:game-2048-ingress.hostname}}"
    trust = json.loads((written / "iam" / "role-alb-controller-irsa.trust.json").read_text())
    assert trust["Statement"][0]["Principal"] == {"Federated": "{{Cluster:cluster-eks.oidcProviderArn}}"}
    assert set(trust["Statement"][0]["Condition"]["StringEquals"]) == {
        "{{Cluster:cluster-eks.oidcIssuer}}:sub",
        "{{Cluster:cluster-eks.oidcIssuer}}:aud",
    }


def test_the_kubeconfig_is_never_written_or_printed(dev, written):
    kubeconfig = dev.outputs["kubeconfig"]
    text = all_text(written) + offline_plan.render_tree(dev_plan())
    assert kubeconfig not in text and "get-token" not in text
    # Masked: the placeholders it is made from, never a value.
    assert dev_plan()["outputs"]["kubeconfig"] == offline_plan.masked(["{{Cluster:cluster-eks.kubeconfigJson}}"])
    assert "kubeconfig" in dev_plan()["secretOutputs"]
    provider = next(r for r in dev_plan()["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"].startswith("[secret")


def test_manifests_validate_for_the_stack_version_and_read_back_to_the_same_objects(written):
    plan = dev_plan()
    version = plan["config"]["eks-fargate:kubernetesVersion"]
    text = (written / "manifests.yaml").read_text()
    documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    assert documents == plan_files.kubernetes_objects(plan)
    kinds = ["Namespace", "Namespace", "ConfigMap", "ConfigMap", "Deployment", "HorizontalPodAutoscaler"]
    kinds += ["PodDisruptionBudget", "Service", "Ingress", "SecurityGroupPolicy"]
    # The pod metrics collector's (containerInsights).
    kinds += ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "StatefulSet"]
    kinds += ["PodDisruptionBudget"]
    assert sorted(d["kind"] for d in documents) == sorted(kinds)
    # The namespaces first: everything else lives in them.
    assert [d["kind"] for d in documents[:3]] == ["Namespace", "Namespace", "Namespace"]
    for document in documents:
        kubernetes_schemas.validate(document, f"{version}.0")
    # The Helm release is described for a person, as comments only.
    assert "# Helm release kube-system/aws-load-balancer-controller" in text
    assert "chart aws-load-balancer-controller 3.5.0 from https://aws.github.io/eks-charts" in text


def test_every_iam_document_is_written_as_sent(written):
    plan = dev_plan()
    roles = {r["name"]: r["inputs"] for r in plan["resources"] if r["type"] == "aws:iam/role:Role"}
    policies = {r["name"]: r["inputs"] for r in plan["resources"] if r["type"] == "aws:iam/policy:Policy"}
    inline = {r["name"] for r in plan["resources"] if r["type"] == "aws:iam/rolePolicy:RolePolicy"}
    files = {p.name for p in (written / "iam").glob("*.json")}
    assert files == {f"role-{n}.trust.json" for n in roles} | {f"policy-{n}.json" for n in policies} | {
        f"role-policy-{n}.json" for n in inline
    } | {"attachments.json"}
    for name, inputs in roles.items():
        assert json.loads((written / "iam" / f"role-{name}.trust.json").read_text()) == json.loads(inputs["assumeRolePolicy"])
    pod_trust = json.loads((written / "iam" / "role-fargate-pod-execution.trust.json").read_text())
    assert pod_trust["Statement"][0]["Principal"] == {"Service": "eks-fargate-pods.amazonaws.com"}
    attachments = json.loads((written / "iam" / "attachments.json").read_text())
    assert {"attachment": "fargate-pod-execution", "role": "{{Role:fargate-pod-execution.name}}",
            "policyArn": "arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"} in attachments  # fmt: skip


def test_the_tree_shows_what_a_reviewer_checks():
    tree = offline_plan.render_tree(dev_plan())
    lines = tree.splitlines()
    for expected in (
        "cidr 10.10.0.0/16",
        "private; cidr 10.10.0.0/19; zone ap-northeast-2a",
        "public; cidr 10.10.224.0/22; zone ap-northeast-2a",
        "chart aws-load-balancer-controller 3.5.0",
        "replicas unset (an autoscaler's, else 1); image public.ecr.aws/l6m2t8p7/docker-2048:latest",
        "scales Deployment deployment-2048 from 5 to 10; cpu 70%",
        f"selectors [namespace={dev_plan()['config']['eks-fargate:appNamespace']}]",
        "selectors [namespace=kube-system]",
        "subnets [{{Subnet:network-private-ap-northeast-2a.id}}, ",
        "Kubernetes 1.35",
    ):
        assert expected in tree, expected
    # Components at the top, in the order they can be created, children under them.
    tops = [line.split()[0] for line in lines if line and line[0].isalnum() and "(eksfargate:" in line]
    assert tops == [
        "network",
        "alarms",
        "cluster",
        "logging",
        "fargate",
        "metrics-server",
        "alb-controller",
        "container-insights",
        "game-2048",
        "app-alarms",
        "dashboard",
    ]
    assert any(line.startswith(("├─ fargate-workloads", "└─ fargate-workloads")) for line in lines)
    assert any(line.split()[:2] == ["kubeconfig", "[secret,"] for line in lines)


def test_the_diagram_links_components_in_dependency_order(written):
    diagram = (written / "diagram.mmd").read_text()
    assert "flowchart LR" in diagram.splitlines()
    nodes = {line.split("[", 1)[0].strip(): line for line in diagram.splitlines() if '["' in line}
    node_of = {line.split('["', 1)[1].split("<br/>")[0]: node for node, line in nodes.items()}
    assert set(node_of) == {
        *("network", "cluster", "logging", "fargate", "alb-controller", "metrics-server", "container-insights"),
        *("game-2048", "alarms", "app-alarms", "dashboard"),
    }
    edges = {(line.split()[0], line.split()[-1]) for line in diagram.splitlines() if "-->" in line}
    for waited, waiter in [
        ("network", "cluster"),
        ("cluster", "fargate"),
        ("fargate", "alb-controller"),
        ("alb-controller", "game-2048"),
        ("fargate", "game-2048"),
        ("fargate", "metrics-server"),
        ("logging", "fargate"),
        ("logging", "metrics-server"),
        ("logging", "alb-controller"),
        ("logging", "game-2048"),
        # The alarms look up the ALB after the Ingress has its hostname, and notify the topic.
        ("game-2048", "app-alarms"),
        ("alarms", "app-alarms"),
        ("game-2048", "dashboard"),
        ("fargate", "container-insights"),
        ("logging", "container-insights"),
    ]:
        assert (node_of[waited], node_of[waiter]) in edges
    assert (node_of["game-2048"], node_of["alb-controller"]) not in edges


def test_an_invalid_stack_file_exits_2_with_the_settings_error_and_writes_nothing(tmp_path, capsys):
    # The command's main(), as `python -m offline` runs it (test_cli_errors.py has such an error in a process of its own).
    stack_file = tmp_path / "Pulumi.broken.yaml"
    stack_file.write_text("config:\n  aws:region: ap-northeast-2\n  eks-fargate:appReplicas: 500\n")
    assert offline_main(["plan", "--stack", "broken", "--stack-file", str(stack_file), "--out", str(tmp_path / "out")]) == 2
    done = capsys.readouterr()
    assert done.err.strip() == "error: config key 'eks-fargate:appReplicas' has invalid value 500: a whole number from 0 to 100"
    assert "Traceback" not in done.err and done.out == ""
    assert not (tmp_path / "out").exists()


def test_a_missing_stack_file_is_an_error_too():
    with pytest.raises(plan_document.PlanError, match="no stack file Pulumi.nope.yaml"):
        offline_plan.build("nope")
    with pytest.raises(plan_document.PlanError, match="a whole number from 0 to 100"):
        offline_plan.build("dev", overrides={"appReplicas": 101})


def test_a_mandatory_policy_violation_fails_the_plan_but_still_writes_it(tmp_path, monkeypatch, capsys):
    import policy.offline
    from offline.__main__ import main

    finding = policy.offline.Violation(
        "no-daemonsets", "mandatory", "DaemonSet 'log-agent' cannot run on Fargate", None, "log-agent"
    )
    monkeypatch.setattr(policy.offline, "check", lambda recording: [finding])
    plan_command_records_once(monkeypatch, "dev", PINNED_DEV)

    assert main(["plan", "--stack", "dev", "--stack-file", str(PINNED_DEV), "--out", str(tmp_path)]) == 1
    assert "mandatory: no-daemonsets [log-agent]" in capsys.readouterr().out
    assert "log-agent" in (tmp_path / "policy.txt").read_text()
    assert (tmp_path / "plan.json").exists()


def test_a_plan_without_checks_writes_only_the_plan_and_ignores_policy_findings(tmp_path, monkeypatch):
    import policy.offline
    from offline.__main__ import main

    finding = policy.offline.Violation("no-daemonsets", "mandatory", "DaemonSet 'log-agent' cannot run on Fargate")
    monkeypatch.setattr(policy.offline, "check", lambda recording: [finding])
    plan_command_records_once(monkeypatch, "dev", PINNED_DEV)

    args = ["plan", "--stack", "dev", "--stack-file", str(PINNED_DEV), "--out", str(tmp_path), "--quiet", "--no-checks"]
    assert main(args) == 0
    assert (tmp_path / "plan.json").exists()
    assert not (tmp_path / "policy.txt").exists() and not (tmp_path / "cost.txt").exists()
