"""Every image the stacks' own workloads run is pinned by digest, or covered by a waiver written for it.

On every stack file of both projects: each container of each Deployment, StatefulSet or other pod
template the program declares either names its image by digest (`@sha256:` and 64 hex digits;
checkov's CKV_K8S_43 passes) or a CKV_K8S_43 waiver of tools/security/waivers.json covers it: its
resource pattern names the object, and it names that very image (`image`) or accepts a version tag
where checkov's CKV_K8S_14 passes (`passing`: a tag, and not latest, read as the policy pack's
image-tag-pinned reads it). So a waiver removed, or an image that leaves what its waiver names, fails
here before `make security` runs checkov. The Helm releases' and EKS add-ons' images are their chart's
and add-on's pins, not manifests of the stacks (docs/reference.md, "Security posture").
"""

import fnmatch
import re

import pytest

from offline.harness import Recording
from policy.workload_rules import image_tag
from security.check import Waiver, containers_of, load_waivers, resource_id
from tests.tenants import TENANT_STACKS, tenant_recording

BY_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}")
IMAGE_DIGEST_CHECK = "CKV_K8S_43"
TAG_FIXED_CHECK = "CKV_K8S_14"


def covers(waiver: Waiver, obj: dict, image: str) -> bool:
    if waiver.check != IMAGE_DIGEST_CHECK or not fnmatch.fnmatchcase(resource_id(obj), waiver.resource):
        return False
    if waiver.image is not None:
        return waiver.image == image
    return waiver.passing == TAG_FIXED_CHECK and image_tag(image) not in (None, "", "latest")


def unpinned(recording: Recording) -> list[str]:
    """The images of the recording's workloads that no digest pins and no waiver covers, with their objects."""
    waivers = load_waivers()
    workloads = [r.inputs for r in recording.resources if r.type.startswith("kubernetes:") and containers_of(r.inputs)]
    assert workloads, "no workload: nothing was checked"
    return [
        f"{resource_id(obj)}: {container['image']}"
        for obj in workloads
        for container in containers_of(obj)
        if not BY_DIGEST.search(container["image"]) and not any(covers(w, obj, container["image"]) for w in waivers)
    ]


def test_every_platform_image_is_pinned_by_digest_or_waived_by_name(stack):
    assert unpinned(stack) == []


@pytest.mark.parametrize("tenant_stack", TENANT_STACKS)
def test_every_tenant_image_is_pinned_by_digest_or_waived_by_name(tenant_stack):
    assert unpinned(tenant_recording(tenant_stack)) == []
