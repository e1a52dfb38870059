"""The edge's types: ACM certificates and their validation, Route 53 records, the ALB access-log
bucket and its settings.

No replace-on rules are recorded for these yet: the diff shows every change to them as an update.
"""

from __future__ import annotations

from typing import Any

from eksfargate.facts.resource_types import ACM_CERTIFICATE, ROUTE53_RECORD, S3_BUCKET, S3_BUCKET_LIFECYCLE
from offline.registry.entry import NewResource, ResourceType, show
from offline.unknowns import KNOWN_AFTER_DEPLOY


def _certificate(resource: NewResource, _id: str) -> dict[str, Any]:
    suffix, domain = resource.suffix, resource.inputs["domainName"]
    return {
        "arn": resource.arn("acm", f"certificate/{suffix[:8]}-0000-4000-8000-{suffix[:12]}"),
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{suffix[:12]}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{suffix[-12:]}.acm-validations.aws.",
            }
        ],
    }


def _record(res: dict[str, Any]) -> list[str]:
    i = res["inputs"]
    zone = f"zone {i.get('zoneId')}"
    if i.get("name", KNOWN_AFTER_DEPLOY) == KNOWN_AFTER_DEPLOY:
        return [f"record {KNOWN_AFTER_DEPLOY} (ACM names a certificate's validation record)", zone]
    aliases = i.get("aliases") or []
    target = f"alias to {aliases[0].get('name')}" if aliases else show(i.get("records") or [])
    return [f"{i.get('type')} {i.get('name')}", target, zone]


TYPES = (
    ResourceType(
        ACM_CERTIFICATE,
        outputs=_certificate,
        summary=lambda res: [
            f"certificate for {res['inputs'].get('domainName')}",
            f"{res['inputs'].get('validationMethod')}-validated",
        ],
    ),
    ResourceType("aws:acm/certificateValidation:CertificateValidation"),
    ResourceType(ROUTE53_RECORD, outputs=lambda resource, _id: {"fqdn": resource.inputs.get("name")}, summary=_record),
    ResourceType(
        S3_BUCKET,
        outputs=lambda _resource, id_: {"bucket": id_, "arn": f"arn:aws:s3:::{id_}"},
        # A bucket name the program leaves to Pulumi's autonaming is known only after deploy.
        preview_outputs=lambda resource: {} if resource.inputs.get("bucket") else {"bucket": resource.placeholder("bucket")},
    ),
    ResourceType(
        S3_BUCKET_LIFECYCLE,
        summary=lambda res: [
            f"objects expire after {(rule.get('expiration') or {}).get('days')} days" for rule in res["inputs"].get("rules") or []
        ],
    ),
    ResourceType("aws:s3/bucketOwnershipControls:BucketOwnershipControls"),
    ResourceType("aws:s3/bucketPolicy:BucketPolicy"),
    ResourceType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
    ResourceType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
)
