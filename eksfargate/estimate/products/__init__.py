"""The priced products, each one module of one shape (eksfargate/estimate/product.py)."""

from eksfargate.estimate.product import Product
from eksfargate.estimate.products import (
    access_logs,
    acm,
    alarms,
    alb,
    eks,
    fargate,
    ipv4,
    kms,
    nat,
    pod_logs,
    pod_metrics,
    route53,
    secrets,
    waf,
)

# The table's rows, product by product: what runs, then the network in front of it, then what it logs.
TABLE: tuple[Product, ...] = (
    fargate.price,
    eks.price,
    nat.price,
    alb.price,
    ipv4.price,
    kms.price,
    pod_logs.price,
    pod_metrics.price,
    access_logs.price,
    alarms.price,
    route53.price,
    acm.price,
    waf.price,
    secrets.price,
)
# The assumptions, product by product (every product of TABLE once): the pods, the traffic the
# network carries, the control plane's rate and when it changes, then the logs.
ASSUMPTION_ORDER: tuple[Product, ...] = (
    fargate.price,
    nat.price,
    alb.price,
    ipv4.price,
    eks.price,
    kms.price,
    pod_logs.price,
    pod_metrics.price,
    access_logs.price,
    alarms.price,
    route53.price,
    acm.price,
    waf.price,
    secrets.price,
)
