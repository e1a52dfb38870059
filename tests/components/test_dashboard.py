"""The stack's dashboard: a valid body whose every metric is one the alarms or the pods' definitions name.

Every widget is checked against the body structure CloudWatch documents (a `metric` widget on the
24-column grid, with its region and its metrics as [namespace, name, dimension, value, ..., options]).
"""

import json

import pytest

from eksfargate import alarm_rules, tenant_settings
from eksfargate.facts import container_insights as ci
from eksfargate.facts.resource_types import DASHBOARD, METRIC_ALARM
from eksfargate.project import TENANT_PROJECT_DIR
from offline.harness import Recording, record
from tests.conftest import recording_of
from tests.stackfacts import STACKS_DIR
from tests.tenants import TENANT_STACKS, copy_projects, tenant_recording

DEFINED = {
    (value.namespace, value.name, value.dimensions, value.stat): value
    for value in vars(alarm_rules).values()
    if isinstance(value, alarm_rules.Metric)
}


@pytest.fixture(scope="module", params=TENANT_STACKS)
def tenant(request) -> Recording:
    return tenant_recording(request.param)


def metric_lines(recording: Recording):
    body = json.loads(recording.one(DASHBOARD).inputs["dashboardBody"])
    for widget in body["widgets"]:
        for line in widget["properties"]["metrics"]:
            yield widget, line


def alarm_dimensions(recording: Recording) -> set[tuple[str, str]]:
    found = set()
    for alarm in recording.of_type(METRIC_ALARM):
        queries = alarm.inputs.get("metricQueries")
        for dims in [q["metric"]["dimensions"] for q in queries if "metric" in q] if queries else [alarm.inputs["dimensions"]]:
            found |= set(dims.items())
    return found


def assert_valid_dashboard(recording: Recording, namespace: str | None) -> None:
    dashboard = recording.one(DASHBOARD).inputs
    assert dashboard["dashboardName"] == recording.outputs["dashboardName"]
    body = json.loads(dashboard["dashboardBody"])
    assert 0 < len(body["widgets"]) <= 500
    places = set()
    for widget in body["widgets"]:
        assert widget["type"] == "metric"
        assert 0 <= widget["x"] and widget["x"] + widget["width"] <= 24 and 1 <= widget["height"] <= 1000
        assert (widget["x"], widget["y"]) not in places
        places.add((widget["x"], widget["y"]))
        assert widget["properties"]["region"] == recording.config["aws:region"]
        assert widget["properties"]["period"] % 60 == 0
    from_alarms = alarm_dimensions(recording)
    ids_by_widget: dict[str, set[str]] = {}
    for widget, line in metric_lines(recording):
        *metric, options = line
        names, values = metric[2::2], metric[3::2]
        assert (metric[0], metric[1], tuple(names), options["stat"]) in DEFINED, line
        ids = ids_by_widget.setdefault(widget["properties"]["title"], set())
        assert options["id"] not in ids
        ids.add(options["id"])
        dims = dict(zip(names, values, strict=True))
        # The app's metrics name the same ALB and target group as its alarms; the pods', its namespace.
        for pair in dims.items():
            if pair[0] in ("LoadBalancer", "TargetGroup"):
                assert pair in from_alarms, line
        if "Namespace" in dims:
            assert dims["Namespace"] == namespace
        if "LaunchType" in dims:
            assert dims["LaunchType"] == "fargate"


def test_the_platforms_dashboard_draws_only_defined_metrics_of_its_app_and_cluster(stack):
    ingresses = stack.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    assert_valid_dashboard(stack, ingresses[0].inputs["metadata"]["namespace"] if ingresses else None)


def test_a_tenants_dashboard_draws_only_its_namespace_and_its_target_group(tenant):
    namespace = tenant.one("kubernetes:core/v1:Namespace").inputs["metadata"]["name"]
    assert_valid_dashboard(tenant, namespace)
    assert not any("ClusterName" in line and "Namespace" not in line for _, line in metric_lines(tenant))


def assert_every_watched_metric_is_drawn(recording: Recording) -> None:
    drawn = {(line[0], line[1]) for _, line in metric_lines(recording)}
    for alarm in recording.of_type(METRIC_ALARM):
        queries = alarm.inputs.get("metricQueries")
        watched = [(q["metric"]["namespace"], q["metric"]["metricName"]) for q in queries if "metric" in q] if queries else []
        watched = watched or [(alarm.inputs["namespace"], alarm.inputs["metricName"])]
        assert set(watched) <= drawn, alarm.name


def test_every_metric_an_alarm_watches_is_on_the_dashboard(dev):
    assert_every_watched_metric_is_drawn(dev)


def test_every_metric_a_tenants_alarm_watches_is_on_its_dashboard(tenant):
    """The shared ALB's own 5xx too, which a tenant on it is alarmed on."""
    assert_every_watched_metric_is_drawn(tenant)


def test_without_the_collector_the_dashboard_draws_no_pod_metrics_and_keeps_the_apps(dev):
    """containerInsights off: nothing sends Container Insights' metrics, so their widgets would stay empty."""
    metrics_off = recording_of("metrics-off", STACKS_DIR / "Pulumi.metrics-off.yaml")  # dev's values but that
    drawn = {(line[0], line[1]) for _, line in metric_lines(metrics_off)}
    drawn_with_it = {(line[0], line[1]) for _, line in metric_lines(dev)}
    assert not any(namespace == ci.METRIC_NAMESPACE for namespace, _ in drawn)
    assert any(namespace == ci.METRIC_NAMESPACE for namespace, _ in drawn_with_it)
    assert drawn == {metric for metric in drawn_with_it if metric[0] != ci.METRIC_NAMESPACE}
    assert_valid_dashboard(
        metrics_off, metrics_off.one("kubernetes:networking.k8s.io/v1:Ingress").inputs["metadata"]["namespace"]
    )


def test_a_tenants_dashboard_draws_pod_metrics_only_where_its_platform_runs_the_collector(tmp_path, monkeypatch):
    """The tenant reads its platform's containerInsights from the platform's stack file, as it reads its
    appAutoscaling: with the collector off, its namespace's pod widgets would stay empty."""
    with_collector = {(line[0], line[1]) for _, line in metric_lines(tenant_recording("checkout-dev"))}
    assert any(namespace == ci.METRIC_NAMESPACE for namespace, _ in with_collector)
    platform_dir, _ = copy_projects(tmp_path)
    platform_file = platform_dir / "Pulumi.shared-dev.yaml"
    platform_file.write_text(platform_file.read_text() + "  eks-fargate:containerInsights: false\n")
    monkeypatch.setattr(tenant_settings, "PLATFORM_PROJECT_DIR", platform_dir)
    without = record("checkout-dev", project_dir=TENANT_PROJECT_DIR)
    assert without.error is None
    drawn = {(line[0], line[1]) for _, line in metric_lines(without)}
    assert drawn == {metric for metric in with_collector if metric[0] != ci.METRIC_NAMESPACE}
