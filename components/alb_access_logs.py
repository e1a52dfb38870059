"""An S3 bucket of the stack for its ALBs' access logs: private, encrypted, expiring."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from eksfargate.facts.elb_access_logs import log_delivery_principals

# Where in the bucket the ALBs write; ELB adds AWSLogs/<account>/elasticloadbalancing/<region>/...
# (a prefix must not itself contain AWSLogs).
LOG_PREFIX = "alb"


@dataclass
class AlbAccessLogsArgs:
    """Inputs of `AlbAccessLogs`.

    region: the stack's region (the bucket must be in the ALBs' region; who delivers the logs
        depends on it: eksfargate/facts/elb_access_logs.py).
    retention_days: how long a log object is kept.
    protect: protect the bucket from deletion; an unprotected bucket is emptied on destroy.
    tags: tags for the bucket.
    """

    region: str
    retention_days: int
    protect: bool
    tags: dict[str, str]


class AlbAccessLogs(pulumi.ComponentResource):
    """The bucket, its encryption, public access block, lifecycle and the policy letting ELB write."""

    bucket_name: pulumi.Output[str]
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: AlbAccessLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:edge:AlbAccessLogs", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            force_destroy=not args.protect,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        # SSE-S3: the only server-side encryption ELB access logs support.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-expiry",
            bucket=bucket.id,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": f"{LOG_PREFIX}/"},
                    "expiration": {"days": args.retention_days},
                }
            ],
            opts=child,
        )
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, account).apply(
                lambda values: json.dumps(delivery_policy(values[0], values[1], args.region))
            ),
            # S3 refuses a bucket policy while the public access block is being written.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        self.bucket_name = bucket.bucket
        # ELB tests that it can write to the bucket when access logs are turned on: the policy first.
        self.ready = [policy]
        self.register_outputs({"bucketName": self.bucket_name})


def delivery_policy(bucket_arn: str, account_id: str, region: str) -> dict[str, Any]:
    """ELB may put objects under the stack's log prefix for this account; nobody may use plain HTTP."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"ElbLogDelivery{index}",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/{LOG_PREFIX}/AWSLogs/{account_id}/*",
            }
            for index, principal in enumerate(log_delivery_principals(region))
        ]
        + [
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
