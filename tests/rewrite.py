"""A copy of a stack file with other valid values: the test that the suite holds for any valid stack file.

Every value the program's shape depends on changes: replicas (written as a string, as
`pulumi config set appReplicas 3` writes it), autoscaling on or off, the zone count (to the most the region allows,
or 2), the NAT mode, the VPC CIDR (a /18 instead of the /16), the Kubernetes version, the pod logs' retention and
log group name.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from eksfargate import settings
from eksfargate.regions import supported_region
from eksfargate.stack_files import read_project, read_stack
from offline.harness import PROJECT_DIR


def rewritten_values(stack_file: Path) -> dict[str, object]:
    """The stack file's config with each shape-giving setting moved to another valid value."""
    project = read_project(PROJECT_DIR)
    values = dict(read_stack(project, stack_file).values)

    def current(key: str) -> object:
        return values.get(f"{project.name}:{key}", project.declarations[key]["default"])

    def put(key: str, value: object) -> None:
        values[f"{project.name}:{key}"] = value

    replicas = int(current("appReplicas"))
    put("appReplicas", str(3 if replicas != 3 else 4))
    # Fixed replicas or the autoscaler (3 or 4 is a valid floor under the default maximum of 10).
    put("appAutoscaling", "false" if str(current("appAutoscaling")).lower() == "true" else "true")
    most = min(settings.AZ_COUNT_RANGE[1], len(supported_region(str(values["aws:region"])).usable_zones))
    put("availabilityZoneCount", most if int(current("availabilityZoneCount")) != most else 2)
    put("natMode", "per-az" if current("natMode") == "single" else "single")
    network = ipaddress.IPv4Network(str(current("vpcCidr")))
    put("vpcCidr", str(ipaddress.IPv4Network((network.network_address, settings.VPC_PREFIX_RANGE[0] + 2))))
    versions = settings.SUPPORTED_KUBERNETES_VERSIONS
    put("kubernetesVersion", versions[(versions.index(str(current("kubernetesVersion"))) + 1) % len(versions)])
    put("fargateLogRetentionDays", 90 if int(current("fargateLogRetentionDays")) != 90 else 14)
    put("fargateLogGroupName", f"/rewritten/{current('fargateLogGroupName') or 'default'}/pods".replace("//", "/"))
    return values


def rewritten_stack_file(stack_file: Path, target: Path) -> Path:
    target.write_text(yaml.safe_dump({"config": rewritten_values(stack_file)}, sort_keys=True))
    return target
