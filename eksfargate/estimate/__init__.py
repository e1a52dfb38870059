"""The price model: what a stack's footprint (eksfargate/footprint.py) costs a month at the
on-demand list prices in data/prices.json. `estimate` prices a footprint; `from_plan` prices the
footprint a plan recorded, which is what the plan's cost.txt, `python -m cost` and the diff's cost
lines all show. What is assumed rather than declared (traffic, log volume) is listed in
`Estimate.assumptions` and printed with the table.

Each priced product (Fargate pods, the EKS control plane, NAT gateways, ALBs, ...) is one module
in products/ of one shape (product.py); pricing.py puts their lines together and table.py prints
them. This package's names below are what the tools and tests import.
"""

from eksfargate.estimate.amounts import CENT
from eksfargate.estimate.breakdown import Estimate, Line
from eksfargate.estimate.prices import (
    FIGURES,
    HOSTED_ZONE_KEY,
    PRICES_FILE,
    MissingPriceError,
    Prices,
    UnknownRegionError,
    compute_cost,
    load_prices,
    unpriced_figures,
)
from eksfargate.estimate.pricing import estimate, from_plan
from eksfargate.estimate.products.access_logs import ACCESS_LOG_FILES_PER_NODE_HOUR
from eksfargate.estimate.table import render
from eksfargate.estimate.usage import DEFAULT_ALB_LCU, DEFAULT_NAT_GB_PER_MONTH, Usage

__all__ = [
    "ACCESS_LOG_FILES_PER_NODE_HOUR",
    "CENT",
    "DEFAULT_ALB_LCU",
    "DEFAULT_NAT_GB_PER_MONTH",
    "FIGURES",
    "HOSTED_ZONE_KEY",
    "PRICES_FILE",
    "Estimate",
    "Line",
    "MissingPriceError",
    "Prices",
    "UnknownRegionError",
    "Usage",
    "compute_cost",
    "estimate",
    "from_plan",
    "load_prices",
    "render",
    "unpriced_figures",
]
