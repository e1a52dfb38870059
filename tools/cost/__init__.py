"""`python -m cost`: what a stack costs a month, priced from its plan's footprint with the
library's model (eksfargate/estimate.py, eksfargate/data/prices.json); `--all`: every team's
cost in both shapes (tenancy.py)."""

from cost.tenancy import from_recording

__all__ = ["from_recording"]
