"""Issue 16 §3: what HTTPS at the edge adds to the estimate. The ALB access-log bucket's storage and
log-file PUTs are priced from the plan's footprint; the hosted zone (an existing one), the web ACL
(owned elsewhere) and ACM's certificates (free) are named under 'Not included'."""

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from eksfargate import regions
from eksfargate.estimate import (
    ACCESS_LOG_FILES_PER_NODE_HOUR,
    HOSTED_ZONE_KEY,
    PRICES_FILE,
    Usage,
    estimate,
    from_plan,
    load_prices,
    unpriced_figures,
)
from eksfargate.footprint import Footprint, LoadBalancer, footprint_from_resources, footprint_of_plan
from eksfargate.project import TENANT_PROJECT_DIR
from offline.footprints import tenant_footprint
from offline.plan import from_recording as plan_of
from tests.conftest import recording_of
from tests.stackfacts import PINNED_DEV, STACKS_DIR, setting

D = Decimal
DATA = json.loads(PRICES_FILE.read_text())
S3_FIGURES = ("s3StandardStorageGbMonth", "s3PutRequest")
STORED = "ALB access logs stored"
WRITTEN = "ALB access log files written"


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def tls_plan():
    return plan_of(recording_of("tls", STACKS_DIR / "Pulumi.tls.yaml"))


@pytest.fixture(scope="module")
def dev_plan():
    return plan_of(recording_of("dev", PINNED_DEV))


def lines_of(result, prefix):
    return [line for line in result.lines if line.item.startswith(prefix)]


# ---------------------------------------------------------------- the footprint


def test_the_plan_records_how_long_the_access_logs_are_kept(tls_plan, dev_plan):
    recording = recording_of("tls", STACKS_DIR / "Pulumi.tls.yaml")
    footprint = footprint_of_plan(tls_plan)

    assert setting(recording, "albAccessLogs") in (True, "true")
    assert footprint.access_log_retention_days == int(setting(recording, "albAccessLogRetentionDays"))
    assert (footprint.route53_records, footprint.certificates, footprint.web_acls) == (2, 1, 1)  # validation CNAME + alias
    assert tls_plan["footprint"]["access_log_retention_days"] == footprint.access_log_retention_days
    assert footprint_of_plan(dev_plan).access_log_retention_days is None


def test_a_footprint_recorded_before_the_access_logs_still_loads(tls_plan):
    recorded = dict(tls_plan["footprint"])
    for key in ("access_log_retention_days", "route53_records", "certificates", "web_acls"):
        recorded.pop(key)
    old = Footprint.from_json(recorded)

    assert old.access_log_retention_days is None and old.route53_records == old.certificates == old.web_acls == 0
    assert Footprint.from_json(tls_plan["footprint"]) == footprint_of_plan(tls_plan)  # and the new one round-trips
    # An old plan prices as before: no access-log lines, nothing about the edge under 'Not included'.
    result = from_plan({**tls_plan, "footprint": recorded})
    assert not lines_of(result, "ALB access log") and not any("Route 53" in text for text in result.assumptions)


def _controller(attributes):
    values = {"ingressClassParams": {"spec": {"loadBalancerAttributes": attributes}}}
    return ("kubernetes:helm.sh/v3:Release", "alb-controller", {"chart": "aws-load-balancer-controller", "values": values})


def _expiry(bucket, days, status="Enabled"):
    rule = {"id": "expire", "status": status, "expiration": {"days": days}}
    return ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "expiry", {"bucket": bucket, "rules": [rule]})


ON = {"key": "access_logs.s3.enabled", "value": "true"}


@pytest.mark.parametrize(
    "resources,days",
    [
        # The bucket the IngressClass names, among others with an expiry.
        (
            [_controller([ON, {"key": "access_logs.s3.bucket", "value": "logs-1"}]), _expiry("other", 7), _expiry("logs-1", 90)],
            90,
        ),
        # Its name only known after deploy: the stack's one bucket with an expiry.
        (
            [
                _controller([ON, {"key": "access_logs.s3.bucket", "value": "{{Bucket:logs.id}}"}]),
                _expiry("{{Bucket:logs.id}}", 14),
            ],
            14,
        ),
        # Logs off: nothing, whatever buckets expire.
        ([_controller([{"key": "access_logs.s3.enabled", "value": "false"}]), _expiry("logs-1", 30)], None),
        # A disabled rule expires nothing.
        ([_controller([ON, {"key": "access_logs.s3.bucket", "value": "logs-1"}]), _expiry("logs-1", 30, "Disabled")], None),
    ],
    ids=["named-bucket", "bucket-known-after-deploy", "logs-off", "rule-disabled"],
)
def test_the_retention_is_the_expiry_of_the_bucket_the_albs_write_to(resources, days):
    footprint = footprint_from_resources("us-east-1", resources)

    assert footprint.access_log_retention_days == days
    logs_on = resources[0][2]["values"]["ingressClassParams"]["spec"]["loadBalancerAttributes"][0]["value"] == "true"
    assert any("ALB access logs" in note for note in footprint.notes) == (logs_on and days is None)


# ---------------------------------------------------------------- the estimate


def test_the_tls_stack_pays_for_its_access_logs_storage_and_files(tls_plan):
    footprint = footprint_of_plan(tls_plan)
    prices = load_prices(footprint.region)
    result = from_plan(tls_plan, prices=prices)
    hours, usage = prices.hours_per_month, Usage()
    albs = sum((lb.share for lb in footprint.load_balancers), D(0))
    nodes = sum((lb.zones * lb.share for lb in footprint.load_balancers), D(0))
    days = footprint.access_log_retention_days
    assert albs == 1 and nodes == footprint.public_zones and days

    (stored,) = lines_of(result, STORED)
    # Steady state: the bucket holds the last `days` days of an assumed GB per ALB-month.
    gb_months = usage.alb_log_gb_per_month * albs * days / (hours / 24)
    assert stored.monthly_usd == cents(prices.s3_storage_gb_month * gb_months)
    assert stored.item == f"ALB access logs stored (assumed {usage.alb_log_gb_per_month} GB per ALB-month, kept {days} days)"
    assert stored.category == "S3" and stored.unit_price == f"${prices.s3_storage_gb_month}/GB-month"
    (written,) = lines_of(result, WRITTEN)
    # One file, one PUT, per ALB node every 5 minutes.
    puts = nodes * ACCESS_LOG_FILES_PER_NODE_HOUR * hours
    assert ACCESS_LOG_FILES_PER_NODE_HOUR == 60 // 5
    assert written.monthly_usd == cents(prices.s3_put_request * puts) and written.quantity == f"{puts} PUT"
    assert result.by_category()["S3"] == stored.monthly_usd + written.monthly_usd
    assert any(text.startswith("ALB access logs: ") for text in result.assumptions)
    # More log volume, longer retention: more storage.
    more = from_plan(tls_plan, Usage(alb_log_gb_per_month=D(10)), prices=prices)
    assert lines_of(more, STORED)[0].monthly_usd == cents(prices.s3_storage_gb_month * gb_months * 10)


def test_the_tls_stack_names_the_zone_the_web_acl_and_the_free_certificates(tls_plan):
    result = from_plan(tls_plan)
    (not_included,) = [text for text in result.assumptions if text.startswith("Not included:")]
    zone = DATA["notIncluded"][HOSTED_ZONE_KEY]

    assert (
        f"the Route 53 hosted zone the stack writes 2 records to (an existing zone, not the stack's: ${zone['usd']}"
        in not_included
    )
    assert "alias queries to an ALB are free" in not_included
    assert "ACM public certificates (free" in not_included
    assert "web ACL on the ALBs (albWebAclArn: owned elsewhere and billed to its owner)" in not_included
    assert not any(line.item.lower().startswith(("route 53", "acm", "waf")) for line in result.lines)


def test_a_stack_without_access_logs_or_tls_has_none_of_it(dev_plan):
    result = from_plan(dev_plan)
    (not_included,) = [text for text in result.assumptions if text.startswith("Not included:")]

    assert "S3" not in result.by_category() and not lines_of(result, "ALB access log")
    assert not any(text.startswith("ALB access logs") for text in result.assumptions)
    assert "Route 53" not in not_included and "ACM" not in not_included and "web ACL" not in not_included


def test_no_alb_no_access_log_lines_whatever_the_footprint_says():
    footprint = Footprint("ap-northeast-2", 1, (), 0, 0, (), 0, access_log_retention_days=30)
    assert not lines_of(estimate(footprint), "ALB access log")


def test_a_tenants_alb_writes_its_access_logs_to_the_platforms_bucket(tls_plan, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((TENANT_PROJECT_DIR / "Pulumi.yaml").read_text())  # no tenant stack file
    platform = {"footprint": tls_plan["footprint"], "outputs": {}}
    shared = LoadBalancer("ALB of Ingress shared", 2)
    tenant = Footprint("ap-northeast-2", 0, (), 0, 0, (shared,), 0)
    alone = tenant_footprint(tenant, "team-dev", "tls", platform, tmp_path)  # no other tenant file in tmp_path
    no_alb = tenant_footprint(Footprint("ap-northeast-2", 0, (), 0, 0, (), 0), "team-dev", "tls", platform, tmp_path)

    assert alone.access_log_retention_days == footprint_of_plan(tls_plan).access_log_retention_days
    assert alone.web_acls == 1 and no_alb.access_log_retention_days is None and no_alb.web_acls == 0
    assert any("writes this tenant's ALB's logs" in note for note in alone.notes)
    (stored,) = lines_of(estimate(alone), STORED)
    assert stored.monthly_usd == lines_of(from_plan(tls_plan), STORED)[0].monthly_usd  # one whole ALB, as the platform's


# ---------------------------------------------------------------- the prices


def test_every_supported_region_prices_s3_or_says_why_not():
    for code in regions.supported_codes():
        figures, unpriced = DATA["regions"][code], unpriced_figures(DATA, code)
        for key in S3_FIGURES:
            assert (key in figures) != (key in unpriced), (code, key)
            if key in figures:
                assert "meteredUnitMaps/s3/USD/current/s3.json" in figures[key]["source"], (code, key)
                assert figures[key]["sourceDate"] == DATA["dataFiles"]["s3"]["published"][:10], (code, key)


def test_some_s3_and_route53_figures_as_the_aws_files_give_them():
    """us-east-1's $0.023 per GB-month and $0.005 per 1,000 PUTs; Sao Paulo's storage; a hosted zone's $0.50."""
    virginia = load_prices("us-east-1")
    assert (virginia.s3_storage_gb_month, virginia.s3_put_request * 1000) == (D("0.023"), D("0.005"))
    assert load_prices("sa-east-1").s3_storage_gb_month == D("0.0405")
    assert virginia.hosted_zone_month == D("0.50")
    assert "'DNS Zone first 25'" in DATA["notIncluded"][HOSTED_ZONE_KEY]["source"]
    for key in ("acmPublicCertificate", "route53AliasQueriesToElb"):
        entry = DATA["notIncluded"][key]
        assert entry["usd"] == "0.00" and "https://docs.aws.amazon.com/" in entry["source"] and entry["checked"], key


def test_an_alias_record_alone_names_the_zone_but_no_validation_record():
    """appCertificateArn (an existing certificate) and an alias record: one record, no certificate of the stack's."""
    footprint = Footprint("ap-northeast-2", 1, (), 0, 0, (), 0, route53_records=1)
    (not_included,) = [text for text in estimate(footprint).assumptions if text.startswith("Not included:")]

    assert "writes 1 record to (an existing zone" in not_included and "alias queries to an ALB are free)" in not_included
    assert "validation CNAME" not in not_included and "ACM" not in not_included
