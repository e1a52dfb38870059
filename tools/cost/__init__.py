"""What a stack costs a month: Fargate pod sizing (fargate.py), prices per region (prices.json),
the estimate (estimate.py) and `python -m cost --stack <stack>` (__main__.py)."""

from cost.tenancy import from_recording
from eksfargate.estimate import Estimate, from_plan, from_settings, monthly_cost_usd, render
from eksfargate.fargate_pods import FargateSizeError, PodSize, pod_size

__all__ = [
    "Estimate",
    "FargateSizeError",
    "PodSize",
    "from_plan",
    "from_recording",
    "from_settings",
    "monthly_cost_usd",
    "pod_size",
    "render",
]
