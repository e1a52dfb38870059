"""Who writes an ALB's access logs into S3: the principal an access-log bucket policy must allow, per region.

Sources, both first-hand (the Application Load Balancer user guide, "Enable access logs for your
Application Load Balancer", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):

- awsdocs/elb-application-load-balancers-user-guide@fb242939a8639ebd75f5a9cbd4b33acef51e1367
  (2023-04-06), doc_source/enable-access-logging.md, the last version of the page in that repository
  before it was archived (June 2023). Section "Regions available before August 2022": "This policy
  grants permissions to the specified Elastic Load Balancing account ID ... Replace elb-account-id
  with the ID of the AWS account for Elastic Load Balancing for your Region", followed by the list
  below (22 commercial regions, plus AWS GovCloud (US-West) 048591011584 and AWS GovCloud (US-East)
  190560391635, left out here: this project deploys to the `aws` partition only). Section "Regions
  available as of August 2022 or later": "This policy grants permissions to the specified log
  delivery service ... in the following Regions: Asia Pacific (Hyderabad), Asia Pacific (Melbourne),
  Europe (Spain), Europe (Zurich), Middle East (UAE)", with the principal
  {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}.
- The current user guides (ALB connection logs and Classic Load Balancer access logs pages, same
  list, read 2026-12 from the stored copies) list the same 24 account IDs and say: "Previously, for
  Regions available before August 2022, we required a policy that granted permissions to an Elastic
  Load Balancing account that was specific to the Region. This legacy policy is still supported, but
  we recommend that you replace it with the newer policy above" and "Regions that are not in this
  list do not support the legacy policy". So the service principal is what every region launched
  since (Calgary, Tel Aviv, Malaysia, New Zealand, Thailand, Mexico, Taipei, ...) needs, and the
  regions of the table may use either.

The same page: the bucket must be in the load balancer's region; "The only server-side encryption
option that's supported is Amazon S3-managed keys (SSE-S3)"; "The prefix that you specify must not
include `AWSLogs`"; logs are written under `bucket[/prefix]/AWSLogs/<account-id>/...`.

Standard library only: the pack runs this folder on its own.
"""

from __future__ import annotations

SOURCE = (
    "ALB user guide, enable-access-logging.md "
    "(awsdocs/elb-application-load-balancers-user-guide@fb242939a8639ebd75f5a9cbd4b33acef51e1367, 2023-04-06)"
)

SERVICE_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"

# "Regions available before August 2022": the region's Elastic Load Balancing account, as listed
# (names as the page gives them; the codes are the regions of those names).
LEGACY_ELB_ACCOUNT_IDS: dict[str, str] = {
    "us-east-1": "127311923021",  # US East (N. Virginia)
    "us-east-2": "033677994240",  # US East (Ohio)
    "us-west-1": "027434742980",  # US West (N. California)
    "us-west-2": "797873946194",  # US West (Oregon)
    "af-south-1": "098369216593",  # Africa (Cape Town)
    "ap-east-1": "754344448648",  # Asia Pacific (Hong Kong)
    "ap-southeast-3": "589379963580",  # Asia Pacific (Jakarta)
    "ap-south-1": "718504428378",  # Asia Pacific (Mumbai)
    "ap-northeast-3": "383597477331",  # Asia Pacific (Osaka)
    "ap-northeast-2": "600734575887",  # Asia Pacific (Seoul)
    "ap-southeast-1": "114774131450",  # Asia Pacific (Singapore)
    "ap-southeast-2": "783225319266",  # Asia Pacific (Sydney)
    "ap-northeast-1": "582318560864",  # Asia Pacific (Tokyo)
    "ca-central-1": "985666609251",  # Canada (Central)
    "eu-central-1": "054676820928",  # Europe (Frankfurt)
    "eu-west-1": "156460612806",  # Europe (Ireland)
    "eu-west-2": "652711504416",  # Europe (London)
    "eu-south-1": "635631232127",  # Europe (Milan)
    "eu-west-3": "009996457667",  # Europe (Paris)
    "eu-north-1": "897822967062",  # Europe (Stockholm)
    "me-south-1": "076674570225",  # Middle East (Bahrain)
    "sa-east-1": "507241528517",  # South America (São Paulo)
}

# Regions the page names for the service principal ("Regions available as of August 2022 or later").
NAMED_SERVICE_PRINCIPAL_REGIONS: tuple[str, ...] = (
    "ap-south-2",  # Asia Pacific (Hyderabad)
    "ap-southeast-4",  # Asia Pacific (Melbourne)
    "eu-south-2",  # Europe (Spain)
    "eu-central-2",  # Europe (Zurich)
    "me-central-1",  # Middle East (UAE)
)

# Commercial regions opened after the page's list, where EKS offers Fargate (eksfargate/data/regions.json):
# not in the legacy list, so, per the current page, they "do not support the legacy policy" and take
# the service principal.
LATER_SERVICE_PRINCIPAL_REGIONS: tuple[str, ...] = (
    "ap-east-2",  # Asia Pacific (Taipei)
    "ap-southeast-5",  # Asia Pacific (Malaysia)
    "ap-southeast-6",  # Asia Pacific (New Zealand)
    "ap-southeast-7",  # Asia Pacific (Thailand)
    "ca-west-1",  # Canada West (Calgary)
    "il-central-1",  # Israel (Tel Aviv)
    "mx-central-1",  # Mexico (Central)
)

SERVICE_PRINCIPAL_REGIONS: frozenset[str] = frozenset(NAMED_SERVICE_PRINCIPAL_REGIONS + LATER_SERVICE_PRINCIPAL_REGIONS)

# The partition this table is for (GovCloud and China have their own accounts and ARNs).
PARTITION = "aws"


def known_regions() -> frozenset[str]:
    """Every region `log_delivery_principal` answers for."""
    return frozenset(LEGACY_ELB_ACCOUNT_IDS) | SERVICE_PRINCIPAL_REGIONS


def log_delivery_principal(region: str) -> dict[str, str]:
    """The IAM `Principal` an ALB access-log bucket policy allows to `s3:PutObject` in `region`.

    The region's Elastic Load Balancing account (`{"AWS": "arn:aws:iam::<id>:root"}`) where the page
    lists one, else the log delivery service (`{"Service": SERVICE_PRINCIPAL}`). A region this module
    does not know raises KeyError naming it: a new region must be read in the user guide and added
    here, not guessed.
    """
    if region in LEGACY_ELB_ACCOUNT_IDS:
        return {"AWS": f"arn:{PARTITION}:iam::{LEGACY_ELB_ACCOUNT_IDS[region]}:root"}
    if region in SERVICE_PRINCIPAL_REGIONS:
        return {"Service": SERVICE_PRINCIPAL}
    raise KeyError(
        f"no ELB access-log principal recorded for region {region!r}: eksfargate/facts/elb_access_logs.py "
        f"knows the {PARTITION!r} partition's regions {sorted(known_regions())} ({SOURCE})"
    )


def log_delivery_principals(region: str) -> list[dict[str, str]]:
    """Every principal AWS documents for `region`: the service principal, and the legacy ELB account
    too where the region has one (the current ALB connection-logs and Classic access-logs pages
    recommend the service principal over the still-supported legacy account)."""
    principal = log_delivery_principal(region)
    if "Service" in principal:
        return [principal]
    return [{"Service": SERVICE_PRINCIPAL}, principal]
