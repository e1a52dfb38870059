"""Every app's alarms, on every stack file: its ALB and target group, its own stack's topic, each kind it needs.

The expectations are read off the recording itself (the Ingress, the Deployment, the autoscaler) and
the controller's tagging rule at v3.5.0 (pkg/deploy/tracking/provider.go), never off the alarm code.
"""

import json
import re

import pytest

from eksfargate.alarm_rules import rules
from eksfargate.alarm_settings import AlarmSettings
from eksfargate.facts.cloudwatch_alarms import ELB_5XX, MAX_METRICS_PER_EXPRESSION
from eksfargate.facts.resource_types import DEPLOYMENT, HPA, INGRESS, METRIC_ALARM, SNS_TOPIC, SNS_TOPIC_POLICY
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.workload import WorkloadSpec
from offline.footprints import footprint_of
from offline.harness import Recording
from offline.registry.observability import INVOKES
from tests.conftest import recording_of
from tests.recordings import planned
from tests.stackfacts import STACKS_DIR, cluster_name
from tests.tenants import TENANT_STACKS, platform_outputs, tenant_recording

GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name"
ALWAYS = {"elb-5xx", "target-5xx-rate", "p99-latency", "unhealthy-targets"}
LOOKUP = {invoke.token.rsplit(":", 1)[-1]: invoke.answer for invoke in INVOKES}


@pytest.fixture(scope="module", params=TENANT_STACKS)
def tenant(request) -> Recording:
    return tenant_recording(request.param)


def alarms(recording: Recording) -> dict[str, dict]:
    """The stack's alarms by kind (the part of the name after the app's prefix)."""
    prefix = f"{recording.project}-{recording.stack.removesuffix('-rewritten')}"
    found = {}
    for alarm in recording.of_type(METRIC_ALARM):
        name = alarm.inputs["name"]
        assert name.startswith(prefix), name
        found[alarm.name.removeprefix("app-alarms-")] = alarm.inputs
    return found


def dimensions(alarm: dict) -> list[dict]:
    if alarm.get("metricQueries"):
        return [query["metric"]["dimensions"] for query in alarm["metricQueries"] if "metric" in query]
    return [alarm["dimensions"]]


def expected_lookups(recording: Recording, cluster: str) -> tuple[str, str]:
    """The ARN suffixes the ALB and the target group have, found by the tags the controller gives what it makes
    for this stack's Ingress (its stack id: the group's name, else <namespace>/<ingress>)."""
    ingress = recording.one(INGRESS).inputs
    namespace, name = ingress["metadata"]["namespace"], ingress["metadata"]["name"]
    stack_id = ingress["metadata"]["annotations"].get(GROUP_ANNOTATION) or f"{namespace}/{name}"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    region = recording.config["aws:region"]
    common = {"elbv2.k8s.aws/cluster": cluster, "ingress.k8s.aws/stack": stack_id}
    alb = LOOKUP["getLoadBalancer"]({"tags": {**common, "ingress.k8s.aws/resource": "LoadBalancer"}}, region)
    resource = f"{namespace}/{name}-{backend['name']}:{backend['port']['name']}"
    tg = LOOKUP["getTargetGroup"]({"tags": {**common, "ingress.k8s.aws/resource": resource}}, region)
    return alb["arnSuffix"], tg["arnSuffix"]


def expected_kinds(recording: Recording) -> set[str]:
    kinds = set(ALWAYS)
    autoscalers = recording.of_type(HPA)
    kept = autoscalers[0].inputs["spec"]["minReplicas"] if autoscalers else recording.one(DEPLOYMENT).inputs["spec"]["replicas"]
    if kept:
        kinds |= {"no-healthy-targets", "pods-not-ready"}
    if autoscalers:
        kinds.add("at-max-replicas")
    return kinds


def assert_alarms_of_its_own_app(recording: Recording, cluster: str) -> None:
    found = alarms(recording)
    assert set(found) == expected_kinds(recording)
    alb, tg = expected_lookups(recording, cluster)
    topic = recording.one(SNS_TOPIC).outputs["arn"]
    for kind, alarm in found.items():
        for dims in dimensions(alarm):
            assert dims["LoadBalancer"] == alb, kind
            # The ALB's own 5xx has no target group; every other metric is the app's target group's.
            assert dims.get("TargetGroup") == (None if kind == "elb-5xx" else tg), kind
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic], kind
    autoscalers = recording.of_type(HPA)
    if autoscalers:
        assert found["at-max-replicas"]["threshold"] == autoscalers[0].inputs["spec"]["maxReplicas"]
    if "pods-not-ready" in found:
        spec = autoscalers[0].inputs["spec"] if autoscalers else recording.one(DEPLOYMENT).inputs["spec"]
        assert found["pods-not-ready"]["threshold"] == spec.get("minReplicas", spec.get("replicas"))
    assert sorted(recording.outputs["alarmNames"]) == sorted(alarm["name"] for alarm in found.values())


def test_the_platform_app_has_every_alarm_on_its_own_alb_and_target_group(stack):
    if not stack.of_type(INGRESS):
        assert stack.outputs["alarmNames"] == [] and not stack.of_type(METRIC_ALARM)
        return
    assert_alarms_of_its_own_app(stack, cluster_name(stack))


def test_a_tenant_app_has_every_alarm_on_its_own_target_group_and_its_own_topic(tenant):
    assert_alarms_of_its_own_app(tenant, platform_outputs(tenant)["clusterName"])


def assert_elb_5xx_on_the_alb_its_ingress_is_on(recording: Recording, cluster: str) -> None:
    """The ALB's own 5xx, on the ALB the controller puts the Ingress on (its group's when it names one)."""
    alb, _ = expected_lookups(recording, cluster)
    found = alarms(recording)
    assert "elb-5xx" in found, sorted(found)
    assert found["elb-5xx"]["metricName"] == ELB_5XX
    assert dimensions(found["elb-5xx"]) == [{"LoadBalancer": alb}]


def test_the_platform_app_has_an_elb_5xx_alarm_on_the_alb_its_ingress_is_on(stack):
    if stack.of_type(INGRESS):
        assert_elb_5xx_on_the_alb_its_ingress_is_on(stack, cluster_name(stack))


def test_a_tenant_app_has_an_elb_5xx_alarm_on_the_alb_its_ingress_is_on(tenant):
    assert_elb_5xx_on_the_alb_its_ingress_is_on(tenant, platform_outputs(tenant)["clusterName"])


def test_the_tenants_of_one_shared_alb_alarm_on_that_alb_and_say_it_counts_every_members_requests():
    """HTTPCode_ELB_5XX_Count has no TargetGroup dimension: on the shared ALB each member's alarm counts them all."""
    shared: dict[tuple[str, str], set[str]] = {}
    for stack in TENANT_STACKS:
        recording = tenant_recording(stack)
        group = recording.one(INGRESS).inputs["metadata"]["annotations"].get(GROUP_ANNOTATION)
        if group:
            alarm = alarms(recording)["elb-5xx"]
            assert "every" in alarm["alarmDescription"], alarm["alarmDescription"]
            platform = recording.config["eks-fargate-tenant:platformStack"]
            shared.setdefault((platform, group), set()).add(alarm["dimensions"]["LoadBalancer"])
    assert shared, "no tenant stack file puts its app on the shared ALB"
    assert all(len(albs) == 1 for albs in shared.values()), shared


def test_a_tenants_estimate_prices_every_metric_its_alarms_read_the_albs_5xx_among_them(tenant):
    read = {kind: len(dimensions(alarm)) for kind, alarm in alarms(tenant).items()}
    assert read["elb-5xx"] == 1
    assert footprint_of(tenant).alarm_metrics == sum(read.values())


@pytest.mark.parametrize("own_alb", [True, False], ids=["own ALB", "shared ALB"])
def test_the_albs_own_5xx_is_alarmed_on_the_apps_own_alb_and_on_the_shared_one(own_alb):
    """A tenant on its own ALB gets what the platform's app gets; on the shared ALB the ALB's 5xx is every member's."""
    settings = AlarmSettings("", 60, 5, 15, 5, 20, 10, 2000)
    found = rules(settings, WorkloadSpec(name="web", image="nginx", port=8080, probe_path="/", replicas=2), own_alb)
    (elb_5xx,) = (rule for rule in found if rule.kind == "elb-5xx")
    assert ("every" in elb_5xx.description) is not own_alb
    for rule in found:
        # A math alarm reads at most 10 metrics, and names only those it declares.
        assert len(rule.metrics) <= MAX_METRICS_PER_EXPRESSION
        named = set(re.findall(r"\b([a-z][A-Za-z0-9_]*)\b", rule.expression)) - {"requests", "target5xx"}
        assert named == set() and {metric.id for metric in rule.inputs} <= {"requests", "target5xx"}


# What a deployed stack's topic, alarms and dashboard are, in both projects: URNs are fixed once deployed,
# and a parent between them and the stack (components/stack_observability.py) would replace them all.
DEPLOYED_AT_THE_ROOT = {
    "eksfargate:observability:AlarmTopic": "alarms",
    "eksfargate:observability:AppAlarms": "app-alarms",
    "eksfargate:observability:Dashboard": "dashboard",
}


def assert_topic_alarms_and_dashboard_are_the_stacks_own_children(recording: Recording) -> None:
    for type_, name in DEPLOYED_AT_THE_ROOT.items():
        found = recording.of_type(type_)
        if type_.endswith("AppAlarms") and not recording.of_type(INGRESS):
            assert found == []
            continue
        (component,) = found
        assert component.name == name, type_
        # urn:pulumi:<stack>::<project>::<parent's type>::<parent's name>: the stack itself.
        assert component.parent and component.parent.split("::")[2] == "pulumi:pulumi:Stack", component.parent


def test_the_platforms_topic_alarms_and_dashboard_keep_their_urns(stack):
    assert_topic_alarms_and_dashboard_are_the_stacks_own_children(stack)


def test_a_tenants_topic_alarms_and_dashboard_keep_their_urns(tenant):
    assert_topic_alarms_and_dashboard_are_the_stacks_own_children(tenant)


def test_no_tenant_alarm_names_another_tenants_target_group():
    groups = {}
    for stack in TENANT_STACKS:
        found = alarms(tenant_recording(stack))
        groups[stack] = {dims["TargetGroup"] for alarm in found.values() for dims in dimensions(alarm) if "TargetGroup" in dims}
    for stack, mine in groups.items():
        assert len(mine) == 1, stack
        for other, theirs in groups.items():
            assert other == stack or not mine & theirs, (stack, other)


def topic_policy_allows_only_cloudwatch_of_its_account(recording: Recording) -> None:
    topic = recording.one(SNS_TOPIC).outputs["arn"]
    _, _, _, region, account, _ = topic.split(":", 5)
    policy = recording.one(SNS_TOPIC_POLICY).inputs
    assert policy["arn"] == topic
    (statement,) = json.loads(policy["policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == "SNS:Publish" and statement["Resource"] == topic
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:*"},
        "StringEquals": {"aws:SourceAccount": account},
    }
    # No server-side encryption: CloudWatch cannot use the AWS managed key (components/alarm_topic.py).
    assert "kmsMasterKeyId" not in recording.one(SNS_TOPIC).inputs


def test_the_platforms_topic_policy_lets_only_cloudwatch_alarms_of_its_account_publish(stack):
    topic_policy_allows_only_cloudwatch_of_its_account(stack)


def test_a_tenants_topic_policy_lets_only_cloudwatch_alarms_of_its_account_publish(tenant):
    topic_policy_allows_only_cloudwatch_of_its_account(tenant)


def test_an_email_is_subscribed_only_when_set(dev):
    subscription = "aws:sns/topicSubscription:TopicSubscription"
    assert dev.config["eks-fargate:alarmEmail"] == "" and not dev.of_type(subscription)
    recording = recording_of("string-values", STACKS_DIR / "Pulumi.string-values.yaml")
    (found,) = recording.of_type(subscription)
    assert found.inputs["protocol"] == "email" and found.inputs["endpoint"] == recording.config["eks-fargate:alarmEmail"]
    assert found.inputs["topic"] == recording.one(SNS_TOPIC).outputs["arn"]


@pytest.mark.parametrize("tenant_stack", TENANT_STACKS)
def test_a_tenants_plan_shows_its_alarms_dimensions_as_its_own_lookups(tenant_stack):
    """A real preview reads a StackReference (its id is the stack's name), so the lookups that wait on the
    platform's outputs run: the plan names the tenant's own target group, not "known after deploy"."""
    plan = planned(tenant_stack, project_dir=TENANT_PROJECT_DIR)  # the session's, as test_diff_truth's
    namespace = tenant_recording(tenant_stack).one("kubernetes:core/v1:Namespace").inputs["metadata"]["name"]
    alarms = [r for r in plan["resources"] if r["type"] == METRIC_ALARM and r["inputs"].get("dimensions")]
    assert alarms
    for alarm in alarms:
        dimensions = alarm["inputs"]["dimensions"]
        assert dimensions["LoadBalancer"].startswith("{{getLoadBalancer:")
        if alarm["name"].endswith("-elb-5xx"):
            assert set(dimensions) == {"LoadBalancer"}  # the ALB's own, whoever's target group
            continue
        assert dimensions["TargetGroup"].startswith("{{getTargetGroup:") and f":{namespace}/" in dimensions["TargetGroup"]
