"""The pod-log and alarm checks against CloudWatch Logs and CloudWatch in memory (moto)."""

import time

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from eksfargate.facts.fargate_logging import LOG_STREAM_PREFIX
from verify.cloud import Cloud, check_alarms, check_logs
from verify.results import Status

REGION = "ap-northeast-2"
GROUP = "/aws/eks/eks-fargate-dev/fargate-pods"
NS = "game-2048"


def event() -> dict:
    """A log event of now (CloudWatch refuses events far in the past or future)."""
    return {"timestamp": int(time.time() * 1000), "message": "GET / HTTP/1.1 200"}


@pytest.fixture(scope="module")
def aws():
    """CloudWatch and its Logs in memory, once for the module (moto takes about a second to start):
    each test names its own pods and alarms."""
    with pytest.MonkeyPatch.context() as env, mock_aws():
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.delenv("AWS_PROFILE", raising=False)
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName=GROUP)
        yield logs, boto3.client("cloudwatch", region_name=REGION)


@pytest.fixture(scope="module")
def session(aws):
    """One boto3 session for the module's checks: each new one reads the services' models again (~0.08 s of CPU)."""
    return boto3.session.Session()


def log_from(logs, pod: str, namespace: str = NS) -> None:
    """What the router writes: one stream per container, named prefix + its tag for the container's log file."""
    stream = f"{LOG_STREAM_PREFIX}kube.var.log.containers.{pod}_{namespace}_app-2048-0123abcd.log"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    logs.put_log_events(
        logGroupName=GROUP, logStreamName=stream, logEvents=[{"timestamp": int(time.time() * 1000), "message": "GET / 200"}]
    )


def test_every_pod_with_events_passes(aws):
    logs, _ = aws
    log_from(logs, "game-2048-p1")
    log_from(logs, "game-2048-p2")
    # A Cloud of its own session, as `python -m verify` makes it; the other tests share one session.
    result = check_logs(Cloud(REGION), GROUP, NS, [(NS, "game-2048-p1"), (NS, "game-2048-p2")])
    assert result.status is Status.PASSED


def test_a_pod_without_events_fails_by_name(aws, session):
    logs, _ = aws
    log_from(logs, "game-2048-a")
    log_from(logs, "game-2048-b", namespace="tenant-ledger")  # the same pod name elsewhere is not this pod's
    result = check_logs(Cloud(REGION, session), GROUP, NS, [(NS, "game-2048-a"), (NS, "game-2048-b")])
    assert result.status is Status.FAILED
    assert f"{NS}/game-2048-b" in result.found and f"{NS}/game-2048-a" not in result.found


def test_no_log_group_output_fails_and_a_missing_group_cannot_be_read(session):
    assert check_logs(Cloud(REGION, session), None, NS, [(NS, "a")]).status is Status.FAILED
    missing = check_logs(Cloud(REGION, session), "/no/such/group", NS, [(NS, "a")])
    assert missing.status is Status.UNREADABLE and "ResourceNotFoundException" in missing.found


def alarm(cloudwatch, name: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="AWS/ApplicationELB", MetricName="HTTPCode_ELB_5XX_Count", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )  # fmt: skip


def test_alarms_that_exist_and_are_not_in_alarm_pass(aws, session):
    _, cloudwatch = aws
    alarm(cloudwatch, "dev-elb-5xx")
    alarm(cloudwatch, "dev-no-healthy-target")
    cloudwatch.set_alarm_state(AlarmName="dev-elb-5xx", StateValue="OK", StateReason="test")
    cloudwatch.set_alarm_state(AlarmName="dev-no-healthy-target", StateValue="INSUFFICIENT_DATA", StateReason="test")
    result = check_alarms(Cloud(REGION, session), ["dev-elb-5xx", "dev-no-healthy-target"])
    assert result.status is Status.PASSED and "1 OK" in result.found and "1 INSUFFICIENT_DATA" in result.found


def test_an_alarm_in_alarm_or_missing_fails(aws, session):
    _, cloudwatch = aws
    alarm(cloudwatch, "stg-elb-5xx")
    cloudwatch.set_alarm_state(AlarmName="stg-elb-5xx", StateValue="ALARM", StateReason="test")
    result = check_alarms(Cloud(REGION, session), ["stg-elb-5xx", "stg-p99"])
    assert result.status is Status.FAILED
    assert "in ALARM: stg-elb-5xx" in result.found and "missing: stg-p99" in result.found


def test_no_alarms_output_says_so_rather_than_passing(session):
    result = check_alarms(Cloud(REGION, session), None)
    assert result.status is Status.FAILED and "no alarms output" in result.found


def test_more_alarms_than_one_call_or_one_page_takes_are_all_read(aws, session):
    _, cloudwatch = aws
    names = [f"big-{number:03}" for number in range(101)]  # one over a call's 100
    for name in names:
        alarm(cloudwatch, name)
    result = check_alarms(Cloud(REGION, session), names)
    assert result.status is Status.PASSED, result.found
    assert result.found.startswith("101 alarm(s)")


def test_an_answer_in_pages_is_read_to_its_last_page(session):
    """DescribeAlarms pages its answer (NextToken); moto answers in one page, so the pages are stubbed."""
    cloud = Cloud(REGION, session)
    names = ["paged-a", "paged-b"]
    types = ["MetricAlarm", "CompositeAlarm"]
    with Stubber(cloud.cloudwatch) as stub:
        first = {"MetricAlarms": [{"AlarmName": "paged-a", "StateValue": "OK"}], "NextToken": "page-2"}
        stub.add_response("describe_alarms", first, {"AlarmNames": names, "AlarmTypes": types})
        second = {"MetricAlarms": [{"AlarmName": "paged-b", "StateValue": "ALARM"}]}
        stub.add_response("describe_alarms", second, {"AlarmNames": names, "AlarmTypes": types, "NextToken": "page-2"})
        result = check_alarms(cloud, names)
        stub.assert_no_pending_responses()
    assert result.status is Status.FAILED and result.found == "in ALARM: paged-b"
