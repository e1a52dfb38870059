"""The estimate's products (eksfargate/estimate/products/): each one unit of one shape, each figure
read by one of them, and the estimate built from whatever the table lists."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from eksfargate.estimate import FIGURES, estimate, load_prices, render
from eksfargate.estimate import pricing as estimate_pricing
from eksfargate.estimate.breakdown import Line
from eksfargate.estimate.product import Priced, Stack
from eksfargate.estimate.products import ASSUMPTION_ORDER, TABLE
from eksfargate.fargate_pods import PodSize
from eksfargate.footprint import Footprint, LoadBalancer, Workload

D = Decimal
# A stack with something of every priced product: an autoscaled workload, a cluster, NAT with its
# Elastic IP, an internet-facing ALB in 3 zones with access logs, the KMS key, pod logs and alarms.
EVERYTHING = Footprint(
    "us-east-1",
    clusters=1,
    workloads=(Workload("apps/web", 2, PodSize(D("0.25"), 512), 4),),
    nat_gateways=1,
    elastic_ips=1,
    load_balancers=(LoadBalancer("ALB of Ingress web", 3),),
    kms_keys=1,
    kubernetes_version="1.35",
    pod_log_retention_days=30,
    access_log_retention_days=90,
    alarm_metrics=8,
    pod_metrics_log_retention_days=7,
)
STANDARD_MONTH, EXTENDED_MONTH = date(2026, 12, 1), date(2027, 4, 1)  # 1.35 leaves standard support on 2027-03-27


def test_every_product_has_one_row_place_and_one_assumption_place():
    assert len(set(TABLE)) == len(TABLE)
    assert sorted(ASSUMPTION_ORDER, key=TABLE.index) == list(TABLE)


@pytest.mark.parametrize("key", FIGURES)
def test_a_figure_the_region_lacks_drops_only_the_lines_of_the_one_product_that_reads_it(key):
    attribute = FIGURES[key][0]
    month = EXTENDED_MONTH if key == "eksExtendedSupportClusterHour" else STANDARD_MONTH
    prices = load_prices("us-east-1")
    lacking = dataclasses.replace(prices, **{attribute: None})
    whole = estimate(EVERYTHING, prices=prices, month=month)
    partial = estimate(EVERYTHING, prices=lacking, month=month)

    assert whole.complete
    assert partial.unpriced == (lacking.missing(attribute),) and f"({key})" in partial.unpriced[0]
    dropped = [line for line in whole.lines if line not in partial.lines]
    assert partial.lines == tuple(line for line in whole.lines if line in partial.lines)
    assert dropped and len({line.category for line in dropped}) == 1
    assert whole.total_usd - partial.total_usd == sum(line.monthly_usd for line in dropped)
    assert partial.assumptions == whole.assumptions


def test_a_new_product_is_one_unit_in_the_table(monkeypatch):
    """What a future product (CloudWatch alarms, say) takes: a function of the shared shape, listed."""

    def alarms(stack: Stack) -> Priced:
        rate = stack.rate("kms_key_month")  # a stand-in for the product's own figure
        lines = () if rate is None else (Line("Alarms", "alarms", "2 alarms", f"${rate}/alarm", 2 * rate),)
        return Priced(lines, ("Alarms: two, on the ALB.",), ("alarm notifications",))

    monkeypatch.setattr(estimate_pricing, "TABLE", (*TABLE, alarms))
    monkeypatch.setattr(estimate_pricing, "ASSUMPTION_ORDER", (alarms, *ASSUMPTION_ORDER))
    prices = load_prices("us-east-1")
    without = dataclasses.replace(prices, kms_key_month=None)
    result = estimate(EVERYTHING, prices=prices, month=STANDARD_MONTH)
    lacking = estimate(EVERYTHING, prices=without, month=STANDARD_MONTH)

    assert result.lines[-1].category == "Alarms" and result.by_category()["Alarms"] == 2 * prices.kms_key_month
    assert result.assumptions[1] == "Alarms: two, on the ALB."  # after the hours and prices, as listed
    assert any(text.startswith("Not included:") and text.endswith("; alarm notifications.") for text in result.assumptions)
    assert "Alarms" in render(result)
    # Its missing price is named once, however many products ask for it.
    assert "Alarms" not in lacking.by_category() and lacking.unpriced == (without.missing("kms_key_month"),)
