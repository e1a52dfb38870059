"""Secrets Manager and Parameter Store: what the apps' secrets from AWS cost, named but not priced.

prices.json holds only prices read from AWS's own pricing data, and none was found for these two
services (notes/issue25-facts.md §7). Second-hand (a transcription of aws.amazon.com/secrets-manager/pricing,
api-evangelist/amazon-secrets-manager, read 2026-09-20): $0.40 per secret-month, $0.05 per 10,000 API calls.
Parameter Store's standard parameters cost nothing, advanced ones do (Systems Manager user guide, "Managing
parameter tiers"); a parameter's tier is set where it is made, outside the stack.
"""

from __future__ import annotations

from eksfargate.estimate.product import Priced, Stack


def price(stack: Stack) -> Priced:
    footprint = stack.footprint
    clauses = []
    if footprint.secrets_manager_secrets:
        clauses.append(
            f"Secrets Manager: {footprint.secrets_manager_secrets} secret item(s) read about "
            f"{footprint.secrets_manager_reads} times a month at their refresh intervals (not priced: no AWS pricing "
            "data for it here; second-hand $0.40 per secret-month and $0.05 per 10,000 API calls; the secrets are "
            "made outside the stack)"
        )
    if footprint.parameters:
        clauses.append(
            f"Parameter Store: {footprint.parameters} parameter(s) read about {footprint.parameter_reads} times a "
            "month (standard parameters at standard throughput are free; advanced parameters and higher "
            "throughput are not priced here)"
        )
    return Priced(not_included=tuple(clauses))
