"""`python -m cost.build_prices DATA_DIR [--alb FILE] [--copy URL] [--fargate-check FILE] [--write]`: the prices
of every supported region (eksfargate/data/regions.json) from AWS's machine-readable pricing data, into
eksfargate/data/prices.json.

DATA_DIR holds the JSON files the AWS pricing pages render their regional tables from
(https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/<service>/USD/current/<file>.json): eks.json,
ecs.json, natgateway.json, vpc.json, cloudwatch.json, kms.json, s3.json and route53.json. Each maps a region's name and a price's
name to its price and rate code, which is the SKU and on-demand term of the same price in the AWS Price
List offer file (AmazonEKS, AmazonECS, AmazonEC2, AmazonVPC, AmazonCloudWatch, awskms, AmazonS3,
AmazonRoute53): SKU.JRTCKXETXF.<price dimension>, JRTCKXETXF the on-demand term, the dimension
6YS6EN2CT7 for a single price and the tier's own for a tiered one (S3 Standard's first 50 TB). These files are
not the offer files themselves; where a region's offer file can be read, it is the better source.

- A figure already in prices.json from another source keeps it (us-east-1's and ap-northeast-2's were
  sourced one by one); the command prints where the data files disagree with it. Figures built from the
  data files before are built again.
- The ALB's hour and LCU-hour: no ELB data file was at hand, so `--alb FILE` (by default
  tools/cost/alb_transcriptions.json) gives them: public transcriptions of each region's own AWSELB offer
  file, each with where it was read and its date. A region it leaves out, or a price it has as null, is
  not taken from another region; a figure sourced by hand is kept, and where the transcription differs the
  command prints it.
- A figure no file gives goes under prices.json "unpriced", with the reason, for every region that has no
  price for it.
- A figure of a global service the estimate names but does not add (the Route 53 hosted zone the stack
  writes records to, an existing one) goes under prices.json "notIncluded", read from the file's
  region "Any"; the hand-written entries there (ACM, alias queries) are kept.
- `--copy URL` names where the files were read (a public copy, e.g. a repository at a commit; `{file}`
  stands for the file name); `--fargate-check FILE` is an independent table of Fargate prices
  (theuves/fgcalc src/utils/data.js) each Fargate figure is compared with.

Without --write, prints the changes and writes nothing. Exit 0, or 2 with the error on stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from eksfargate.estimate import FIGURES, PRICES_FILE
from eksfargate.project import TOOLS_DIR
from eksfargate.regions import REGIONS_FILE, supported_codes

EXIT_OK, EXIT_ERROR = 0, 2
AWS_URL = "https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/{service}/USD/current/{file}"
# How a figure built from an ALB transcription starts its source (so that a run builds it again).
TRANSCRIBED = "second-hand: "
ALB_FIGURES = ("albHour", "albLcuHour")
ALB_FILE = Path(__file__).parent / "alb_transcriptions.json"


@dataclass(frozen=True)
class Read:
    """Where a figure is read: a data file, and the price's name in it (and a second one added to it)."""

    file: str
    service: str
    offer: str
    key: str
    plus: str | None = None


READS: dict[str, Read] = {
    # EKS pods on Fargate are billed under Amazon EKS (usage types <REGION>-Fargate-vCPU-Hours:perCPU and
    # <REGION>-Fargate-GB-Hours of AmazonEKS), so the EKS file's Fargate rows; the ECS file's are compared.
    "fargateVcpuHour": Read("eks.json", "eks", "AmazonEKS", "Fargate perCPU per hours"),
    "fargateGbHour": Read("eks.json", "eks", "AmazonEKS", "Fargate perGB per hours"),
    "eksClusterHour": Read("eks.json", "eks", "AmazonEKS", "Compute per Hours"),
    # Extended support is billed on top of the standard rate: the total is the two added.
    "eksExtendedSupportClusterHour": Read(
        "eks.json", "eks", "AmazonEKS", "Compute per Hours", "Compute ExtendedSupport per Hours"
    ),
    "natGatewayHour": Read("natgateway.json", "ec2", "AmazonEC2", "Hourly charge for NAT Gateways"),
    "natGatewayGb": Read("natgateway.json", "ec2", "AmazonEC2", "Charge for per GB data processed by NatGateways"),
    "publicIpv4Hour": Read("vpc.json", "vpc", "AmazonVPC", "Hourly charge for In use Public IPv4 Addresses per Hrs"),
    "kmsKeyMonth": Read("kms.json", "kms", "awskms", "Encryption Key"),
    "cloudwatchLogsIngestionGb": Read("cloudwatch.json", "cloudwatch", "AmazonCloudWatch", "Logs Collected Data Ingestion"),
    "cloudwatchLogsStorageGbMonth": Read("cloudwatch.json", "cloudwatch", "AmazonCloudWatch", "Stored Data"),
    # A standard-resolution alarm, per metric it watches (an "alarm metric").
    "cloudwatchAlarmStandardMonth": Read("cloudwatch.json", "cloudwatch", "AmazonCloudWatch", "Alarm Standard"),
    # Custom metrics (Container Insights' from the ADOT collector are billed as such), the first tier.
    "cloudwatchMetricMonth": Read("cloudwatch.json", "cloudwatch", "AmazonCloudWatch", "Metric for the first 10000"),
    # The first tier of S3 Standard storage (the first 50 TB a month), and the PUT request the ELB
    # service makes for each access log file.
    "s3StandardStorageGbMonth": Read("s3.json", "s3", "AmazonS3", "Standard Storage First 50 TB per GB Mo"),
    "s3PutRequest": Read("s3.json", "s3", "AmazonS3", "PUT COPY/POST or LIST requests per Requests"),
}
# Figures of a global service, from the file's region "Any": prices.json "notIncluded" (the estimate
# names them, the stack does not pay them).
GLOBAL_REGION = "Any"
GLOBAL_READS: dict[str, Read] = {
    "route53HostedZoneMonth": Read("route53.json", "route53", "AmazonRoute53", "DNS Zone first 25"),
    # CloudWatch dashboards are global; an account's first 3 are free ("Dashboard Basic Free upto 3 Dashboard").
    "cloudwatchDashboardMonth": Read("cloudwatch.json", "cloudwatch", "AmazonCloudWatch", "Dashboard Basic Dashboard"),
}
# Compared with the figure read, where the region has it.
CROSS_READS: dict[str, Read] = {
    "fargateVcpuHour": Read("ecs.json", "ecs", "AmazonECS", "perCPU per hour"),
    "fargateGbHour": Read("ecs.json", "ecs", "AmazonECS", "perGB per hour"),
}
UNITS = {
    "fargateVcpuHour": "per vCPU-hour, Fargate Linux/x86 on-demand, billed per second",
    "fargateGbHour": "per GB-hour of memory, Fargate Linux/x86 on-demand, billed per second",
    "eksClusterHour": "per cluster-hour, Kubernetes version in standard support",
    "eksExtendedSupportClusterHour": "per cluster-hour in total, Kubernetes version in extended support",
    "natGatewayHour": "per NAT gateway-hour (partial hours billed as full hours)",
    "natGatewayGb": "per GB processed by a NAT gateway, either direction, on top of data transfer",
    "publicIpv4Hour": "per public IPv4 address-hour",
    "kmsKeyMonth": "per customer managed KMS key-month, prorated hourly",
    "cloudwatchLogsIngestionGb": "per GB of log data ingested, Standard log class (PutLogEvents); first 10 TB a month",
    "cloudwatchLogsStorageGbMonth": "per GB-month of log data stored (archived), Standard log class",
    "cloudwatchAlarmStandardMonth": "per standard-resolution (60 s) alarm metric-month, prorated hourly",
    "cloudwatchDashboardMonth": "per dashboard-month past the account's first 3 (free); CloudWatch dashboards are "
    "global (the file's region 'Any')",
    "cloudwatchMetricMonth": "per custom metric-month, the first 10,000 metrics of an account",
    "s3StandardStorageGbMonth": "per GB-month stored in S3 Standard, first tier (the first 50 TB a month)",
    "s3PutRequest": "per PUT, COPY, POST or LIST request to S3 Standard (ELB's access log delivery: one PUT a file)",
    "route53HostedZoneMonth": "per hosted zone-month, the first 25 zones of an account; Route 53 is global (the file's "
    "region 'Any')",
    "albHour": "per Application Load Balancer-hour (or partial hour)",
    "albLcuHour": "per LCU-hour (an LCU: 25 new connections/s, 3,000 active connections/min, 1 GB/h processed for IP "
    "targets, or 1,000 rule evaluations/s, whichever is highest)",
}
NO_FILE_REASON = (
    "no source for this region could be read here: no AWS data file gives it (see dataFiles: none for AWSELB) "
    "and no public transcription of its offer was found for this region; not extrapolated from another region"
)
NO_ALB_REASON = (
    "no source for this region could be read here: no AWS data file gives it (none for AWSELB among dataFiles) and "
    "no public transcription of the region's own AWSELB offer file gives it (albTranscriptions); not extrapolated "
    "from another region: the LCU-hour differs by region ($0.008 to $0.011)"
)
FARGATE_CHECKED = ("fargateVcpuHour", "fargateGbHour")


def data_name(region_name: str) -> str:
    """The data files' name for a region: botocore's description, with 'EU' for 'Europe'."""
    return re.sub(r"^Europe \(", "EU (", region_name)


def usd_text(value: Decimal) -> str:
    """A price as prices.json writes it: no trailing zeros past the second decimal (0.10, 0.0225)."""
    text = f"{value.normalize():f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def fargate_table(path: Path) -> dict[str, tuple[Decimal, Decimal]]:
    """theuves/fgcalc's src/utils/data.js: region -> (vCPU-hour, GB-hour), on-demand."""
    text = path.read_text()
    on_demand = r'"(?:normal|FARGATE)":\s*\{\s*"cpu":\s*([0-9.]+),\s*"ram":\s*([0-9.]+)'
    entries = re.findall(r'"region":\s*"([a-z0-9-]+)".*?' + on_demand, text, re.S)
    return {region: (Decimal(cpu), Decimal(ram)) for region, cpu, ram in entries}


def built_here(source: str) -> bool:
    """A figure this command builds (again on every run), not one sourced by hand."""
    return source.startswith((AWS_URL.split("{")[0], TRANSCRIBED))


def transcribed(alb: dict[str, Any], code: str, key: str, unit: str, checked: str) -> dict[str, str] | None:
    """A region's ALB figure from its own AWSELB transcription (None where it gives none): prices.json gets the
    offer file and the transcription's words, tools/cost/alb_transcriptions.json keeps the copies it was read in."""
    row = alb["regions"].get(code) or {}
    if row.get(key) is None:
        return None
    source = (
        f"{TRANSCRIBED}{row['transcription']}; a public transcription of the AWS Price List offer file "
        f"{row['offerFile']}, where it was read: albTranscriptions, regions.{code}"
    )
    return {
        "usd": usd_text(Decimal(row[key])),
        "unit": unit,
        "source": source,
        "sourceDate": row["sourceDate"],
        "checked": checked,
    }


def build(
    data_dir: Path,
    prices: dict[str, Any],
    regions: dict[str, Any],
    *,
    copy: str = "",
    fargate_check: dict[str, tuple[Decimal, Decimal]] | None = None,
    fargate_check_source: str = "",
    checked: str = "",
    alb: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """prices.json with every supported region; and what the data files and the ALB transcriptions say
    against the figures kept."""
    checked = checked or date.today().isoformat()
    every = (*READS.values(), *CROSS_READS.values(), *GLOBAL_READS.values())
    files = {read.file: json.loads((data_dir / read.file).read_text()) for read in every}
    published = {name: data["manifest"]["hawkFilePublicationDate"] for name, data in files.items()}
    notes: list[str] = []

    def value(read: Read, region_name: str) -> tuple[Decimal, str] | None:
        rows = files[read.file]["regions"].get(data_name(region_name), {})
        if read.key not in rows or (read.plus and read.plus not in rows):
            return None
        total = Decimal(rows[read.key]["price"]) + (Decimal(rows[read.plus]["price"]) if read.plus else 0)
        codes = [rows[read.key]["rateCode"], *([rows[read.plus]["rateCode"]] if read.plus else [])]
        return total, " + ".join(codes)

    def where(read: Read, region_name: str, codes: str) -> str:
        keys = f"'{read.key}'" + (f" + '{read.plus}'" if read.plus else "")
        return (
            f"{AWS_URL.format(service=read.service, file=read.file)} (the data AWS's pricing page renders, published "
            f"{published[read.file]}), region '{data_name(region_name)}', {keys}, rate code {codes} (SKU and on-demand "
            f"term in the {read.offer} Price List offer file); copy read: dataFiles.{read.file.removesuffix('.json')}"
        )

    out = dict(prices)
    out_regions: dict[str, Any] = {}
    unpriced: dict[str, list[str]] = {}
    alb = alb or {"regions": {}}
    for code in supported_codes():
        name = regions[code]["name"]
        kept = prices["regions"].get(code)
        entry: dict[str, Any] = dict(kept) if kept else {"name": name}
        for key in FIGURES:
            read = READS.get(key)
            found = value(read, name) if read else None
            from_transcription = (
                transcribed(alb, code, key, UNITS[key], alb.get("read") or checked) if key in ALB_FIGURES else None
            )
            if kept and key in kept and not built_here(kept[key]["source"]):
                if read and found and found[0] != Decimal(kept[key]["usd"]):
                    notes.append(f"{code} {key}: prices.json has {kept[key]['usd']}, {read.file} {usd_text(found[0])}")
                if from_transcription and Decimal(from_transcription["usd"]) != Decimal(kept[key]["usd"]):
                    notes.append(
                        f"{code} {key}: prices.json has {kept[key]['usd']}, the AWSELB transcription {from_transcription['usd']}"
                    )
                continue
            if from_transcription:
                entry[key] = from_transcription
                continue
            entry.pop(key, None)  # built before, and no source gives it now
            if read is None or found is None:
                unpriced.setdefault(key, []).append(code)
                continue
            usd, codes = found
            source = where(read, name, codes)
            cross = CROSS_READS.get(key)
            other = value(cross, name) if cross else None
            if cross and other:
                source += (
                    f". {cross.file} ({cross.offer}, Fargate for ECS tasks) gives the same"
                    if other[0] == usd
                    else f". {cross.file} ({cross.offer}, Fargate for ECS tasks) gives {usd_text(other[0])}: "
                    "EKS pods are billed at AmazonEKS's rate"
                )
            if key in FARGATE_CHECKED and fargate_check and code in fargate_check:
                theirs = fargate_check[code][FARGATE_CHECKED.index(key)]
                agree = "agrees" if theirs == usd else f"gives {usd_text(theirs)} (differs)"
                source += f"; {fargate_check_source} {agree}"
                if theirs != usd:
                    notes.append(f"{code} {key}: {read.file} {usd_text(usd)}, the Fargate check {usd_text(theirs)}")
            entry[key] = {
                "usd": usd_text(usd),
                "unit": UNITS[key],
                "source": source,
                "sourceDate": published[read.file][:10],
                "checked": checked,
            }
        out_regions[code] = entry
    out["regions"] = out_regions
    out["dataFiles"] = {
        read.file.removesuffix(".json"): {
            "url": AWS_URL.format(service=read.service, file=read.file),
            "published": published[read.file],
            "offer": read.offer,
            "copy": copy.format(file=read.file) if copy else "",
        }
        for read in sorted(set(every), key=lambda r: r.file)
    }
    not_included: dict[str, Any] = dict(prices.get("notIncluded", {}))
    for key, read in GLOBAL_READS.items():
        found = value(read, GLOBAL_REGION)
        if found is None:
            raise ValueError(f"{read.file} has no '{read.key}' in region {GLOBAL_REGION!r}")
        usd, codes = found
        not_included[key] = {
            "usd": usd_text(usd),
            "unit": UNITS[key],
            "source": where(read, GLOBAL_REGION, codes),
            "sourceDate": published[read.file][:10],
            "checked": checked,
        }
    out["notIncluded"] = not_included
    grouped: dict[tuple[tuple[str, ...], str], list[str]] = {}  # figures missing in the same regions, for one reason
    for key, region_codes in unpriced.items():
        reason = NO_ALB_REASON if key in ALB_FIGURES else NO_FILE_REASON
        grouped.setdefault((tuple(region_codes), reason), []).append(key)
    entries = [{"figures": figures, "regions": list(codes), "reason": reason} for (codes, reason), figures in grouped.items()]
    out["unpriced"] = {**prices.get("unpriced", {}), "entries": entries}
    if alb["regions"]:
        out["albTranscriptions"] = {
            "file": alb.get("file", ""),
            "offerVersion": alb.get("offerVersion", ""),
            "read": alb.get("read", ""),
            "about": alb.get("about", ""),
        }
    return out, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cost.build_prices", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "data_dir",
        type=Path,
        help="folder with eks.json, ecs.json, natgateway.json, vpc.json, cloudwatch.json, kms.json, s3.json, route53.json",
    )
    parser.add_argument(
        "--alb", type=Path, default=ALB_FILE, help="the ALB transcriptions (default tools/cost/alb_transcriptions.json)"
    )
    parser.add_argument("--copy", default="", help="where the files were read, {file} for the file's name (a URL)")
    parser.add_argument(
        "--fargate-check", type=Path, help="theuves/fgcalc src/utils/data.js, to compare the Fargate figures with"
    )
    parser.add_argument("--fargate-check-source", default="", help="how the sources cite --fargate-check (a URL)")
    parser.add_argument("--checked", default="", help="the date the figures were read (default today)")
    parser.add_argument("--write", action="store_true", help="write eksfargate/data/prices.json")
    args = parser.parse_args(argv)
    try:
        prices = json.loads(PRICES_FILE.read_text())
        regions = json.loads(REGIONS_FILE.read_text())["regions"]
        table = fargate_table(args.fargate_check) if args.fargate_check else None
        out, notes = build(
            args.data_dir,
            prices,
            regions,
            copy=args.copy,
            fargate_check=table,
            fargate_check_source=args.fargate_check_source or str(args.fargate_check),
            checked=args.checked,
            alb={**json.loads(args.alb.read_text()), "file": args.alb.resolve().relative_to(TOOLS_DIR.parent).as_posix()},
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for note in notes:
        print(f"disagrees: {note}")
    added = sorted(set(out["regions"]) - set(prices["regions"]))
    print(f"{len(out['regions'])} regions ({len(added)} added); unpriced: {out['unpriced']['entries']}")
    if args.write:
        PRICES_FILE.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
