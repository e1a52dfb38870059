"""The alarm settings, shared by both projects: a bad value fails before any resource, naming key, value and rule."""

import pytest

from eksfargate.config_reader import SettingsError
from eksfargate.project import TENANT_PROJECT_DIR
from offline.harness import record

BAD_ALARM_INPUTS = [
    # (overrides, key, value as quoted in the message, part of the allowed-values text)
    ({"alarmEmail": "oncall"}, "alarmEmail", "'oncall'", "an e-mail address"),
    ({"alarmEmail": "on call@example.com"}, "alarmEmail", "'on call@example.com'", "an e-mail address"),
    ({"alarmPeriodSeconds": 30}, "alarmPeriodSeconds", "30", "from 60 to 300"),
    ({"alarmPeriodSeconds": 90}, "alarmPeriodSeconds", "90", "one of [60, 300]"),
    ({"alarmEvaluationPeriods": 0}, "alarmEvaluationPeriods", "0", "from 1 to 60"),
    ({"alarmAtMaxPeriods": 61}, "alarmAtMaxPeriods", "61", "from 1 to 60"),
    ({"alarmTarget5xxPercent": 0}, "alarmTarget5xxPercent", "0", "from 1 to 100"),
    ({"alarmTarget5xxPercent": "5%"}, "alarmTarget5xxPercent", "'5%'", "a whole number"),
    ({"alarmMinRequests": 0}, "alarmMinRequests", "0", "from 1 to 1000000"),
    ({"alarmElb5xxCount": 0}, "alarmElb5xxCount", "0", "from 1 to 1000000"),
    ({"alarmP99LatencyMs": 5}, "alarmP99LatencyMs", "5", "from 10 to 60000"),
    ({"alarmP99LatencyMs": 120000}, "alarmP99LatencyMs", "120000", "from 10 to 60000"),
]
IDS = [f"{case[1]}={case[2][:20]}" for case in BAD_ALARM_INPUTS]


def assert_refused(recording, key, value, allowed):
    assert isinstance(recording.error, SettingsError), recording.error
    message = str(recording.error)
    assert f"config key '{recording.project}:{key}'" in message
    assert f"invalid value {value}:" in message
    assert allowed in message
    assert recording.resources == []


@pytest.mark.parametrize("overrides,key,value,allowed", BAD_ALARM_INPUTS, ids=IDS)
def test_a_bad_alarm_setting_fails_the_platform_before_any_resource(overrides, key, value, allowed):
    assert_refused(record("dev", overrides=overrides), key, value, allowed)


@pytest.mark.parametrize("overrides,key,value,allowed", BAD_ALARM_INPUTS[:3], ids=IDS[:3])
def test_a_bad_alarm_setting_fails_a_tenant_before_any_resource(overrides, key, value, allowed):
    assert_refused(record("checkout-dev", overrides=overrides, project_dir=TENANT_PROJECT_DIR), key, value, allowed)
