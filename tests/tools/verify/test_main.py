"""`python -m verify` end to end: the outputs from a file, the cluster from the loopback API, the app
from a local server, CloudWatch in memory; its exit codes, its table, and no secret in anything it writes."""

import json
import time

import boto3
import pytest
from moto import mock_aws

from eksfargate.facts.fargate_logging import pod_log_stream_prefix
from tests.tools.verify import fakes
from tests.tools.verify.test_web import App
from verify.__main__ import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, main

REGION = "ap-northeast-2"
GROUP = "/aws/eks/eks-fargate-dev/fargate-pods"
NS = "game-2048"
SECRET = "s3cr3t-passphrase-output"
PODS = ("game-2048-a", "game-2048-b")


def healthy() -> dict:
    return {
        "nodes": [fakes.fargate_node()],
        "pods": [fakes.pod(name, NS) for name in PODS],
        "deployments": [fakes.deployment("game-2048", NS)],
        "ingresses": [fakes.ingress("ingress-2048", NS)],
        "autoscalers": [fakes.autoscaler("game-2048", NS)],
    }


def event() -> dict:
    """A log event of now (CloudWatch refuses events far in the past or future)."""
    return {"timestamp": int(time.time() * 1000), "message": "GET / HTTP/1.1 200"}


@pytest.fixture(scope="module")
def cloud():
    """CloudWatch and its Logs in memory, once for the module (moto takes about a second to start)."""
    with pytest.MonkeyPatch.context() as env, mock_aws():
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName=GROUP)
        for pod in PODS:
            stream = pod_log_stream_prefix(pod, NS) + "app-2048-0123abcd.log"
            logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
            logs.put_log_events(
                logGroupName=GROUP, logStreamName=stream, logEvents=[{"timestamp": int(time.time() * 1000), "message": "GET /"}]
            )
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        cloudwatch.put_metric_alarm(
            AlarmName="dev-elb-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_ELB_5XX_Count", Statistic="Sum",
            Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        )  # fmt: skip
        yield cloudwatch


@pytest.fixture
def web():
    app = App()
    with fakes.serve(app.handler()) as url:
        yield url


def run(tmp_path, monkeypatch, capsys, objects, url, api_status=200, extra=None, args=()):
    api = fakes.FakeApi(objects, status=api_status)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    with fakes.kubernetes_api(api) as kubeconfig:
        outputs = {
            "kubeconfig": kubeconfig,
            "region": REGION,
            "ingressUrl": url,
            "podLogGroupName": GROUP,
            "alarmNames": ["dev-elb-5xx"],
            "databasePassword": SECRET,
            **(extra or {}),
        }
        (tmp_path / "outputs.json").write_text(json.dumps(outputs))
        code = main(["--stack", "dev", "--outputs", str(tmp_path / "outputs.json"), "--wait", "0", *args])
    out, err = capsys.readouterr()
    return code, out, err, summary.read_text() if summary.exists() else "", api


def test_a_healthy_stack_exits_0_with_the_table_in_the_job_summary(tmp_path, monkeypatch, capsys, cloud, web):
    code, out, err, summary, api = run(tmp_path, monkeypatch, capsys, healthy(), web)
    assert code == EXIT_OK, out
    assert "| check | expected | found | result |" in summary
    checks = [line.split("|")[1].strip() for line in summary.splitlines()[4:]]
    assert checks == ["nodes", f"rollout {NS}/game-2048", f"pods {NS}", f"ingress {NS}/ingress-2048",
                      f"autoscaler {NS}/game-2048", f"pod logs {NS}", f"url {web}", "alarms"]  # fmt: skip
    assert "all 8 checks passed" in out
    assert {method for method, _, _ in api.requests} == {"GET"}


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda o: o["nodes"].append(fakes.ec2_node()), "nodes"),
        (lambda o: o.update(deployments=[fakes.deployment("game-2048", NS, status=fakes.STUCK_ROLLOUT)]), "rollout"),
        (lambda o: o.update(pods=[fakes.pod("game-2048-a", NS), fakes.pod("game-2048-b", NS, ready=False)]), "pods"),
        (lambda o: o.update(ingresses=[fakes.ingress("ingress-2048", NS, hostname=None)]), "ingress"),
        (lambda o: o.update(autoscalers=[fakes.autoscaler("game-2048", NS, metrics=False)]), "autoscaler"),
        (lambda o: o["pods"].append(fakes.pod("game-2048-c", NS)), "pod logs"),
    ],
)
def test_each_failure_exits_1_and_its_row_says_failed(tmp_path, monkeypatch, capsys, cloud, web, change, check):
    objects = healthy()
    change(objects)
    code, out, _, summary, _ = run(tmp_path, monkeypatch, capsys, objects, web)
    assert code == EXIT_FAILED
    failed = [line for line in summary.splitlines() if "❌ failed" in line]
    assert len(failed) == 1 and failed[0].startswith(f"| {check} ")


def test_an_alarm_in_alarm_and_a_url_never_200_exit_1(tmp_path, monkeypatch, capsys, cloud, web):
    cloud.set_alarm_state(AlarmName="dev-elb-5xx", StateValue="ALARM", StateReason="test")
    try:
        code, _, _, summary, _ = run(tmp_path, monkeypatch, capsys, healthy(), f"{web}/down")
    finally:
        cloud.set_alarm_state(AlarmName="dev-elb-5xx", StateValue="OK", StateReason="test")
    assert code == EXIT_FAILED
    assert {line.split("|")[1].strip().split()[0] for line in summary.splitlines() if "❌" in line} == {"url", "alarms"}


def test_a_cluster_that_refuses_the_reads_exits_3_not_1(tmp_path, monkeypatch, capsys, cloud, web):
    code, out, _, summary, _ = run(tmp_path, monkeypatch, capsys, healthy(), web, api_status=403)
    assert code == EXIT_UNREADABLE
    assert "403" in summary and "could not read" in out


def test_no_outputs_exits_3_with_a_message(tmp_path, capsys):
    assert main(["--stack", "dev", "--outputs", str(tmp_path / "missing.json")]) == EXIT_UNREADABLE
    assert "could not read stack dev" in capsys.readouterr().err
    (tmp_path / "o.json").write_text(json.dumps({"region": REGION}))
    assert main(["--stack", "dev", "--outputs", str(tmp_path / "o.json")]) == EXIT_UNREADABLE
    assert "no kubeconfig output" in capsys.readouterr().err


def test_a_tenant_needs_its_namespace_output(tmp_path, capsys):
    (tmp_path / "o.json").write_text(json.dumps({"region": REGION, "kubeconfig": fakes.kubeconfig("http://127.0.0.1:9")}))
    assert main(["--stack", "checkout-dev", "--project-dir", "tenant", "--outputs", str(tmp_path / "o.json")]) == EXIT_UNREADABLE
    assert "no namespace output" in capsys.readouterr().err


def test_no_secret_reaches_stdout_stderr_or_the_summary(tmp_path, monkeypatch, capsys, cloud, web):
    objects = healthy()
    objects["nodes"].append(fakes.ec2_node())
    for status in (200, 401):
        code, out, err, summary, api = run(tmp_path, monkeypatch, capsys, objects, web, api_status=status)
        assert code in (EXIT_FAILED, EXIT_UNREADABLE)
        for text in (out, err, summary):
            assert fakes.TOKEN not in text and SECRET not in text and "SECRET-BEARER" not in text
        assert api.requests  # the token did go to the API server


def test_help_documents_every_check_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    said = capsys.readouterr().out
    for check in ("nodes", "rollout", "pods", "ingress", "url", "pod logs", "autoscaler", "alarms", "Exit codes"):
        assert check in said
    with pytest.raises(SystemExit) as done:
        main(["--stack", "dev", "--wait", "-1"])
    assert done.value.code == EXIT_USAGE
