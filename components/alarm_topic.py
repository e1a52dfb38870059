"""The stack's alarm topic: one SNS topic every alarm of the stack notifies, and an optional e-mail subscriber.

Its policy lets CloudWatch alarms of this account and region publish, and nothing else: the
principal `cloudwatch.amazonaws.com` with `aws:SourceArn` and `aws:SourceAccount`, as the CloudWatch
user guide advises against the cross-service confused deputy (awsdocs/amazon-cloudwatch-user-guide
@fbd27d4, doc_source/US_SetupSNS.md). The account's own principals keep what their IAM policies give.

No server-side encryption: a topic that CloudWatch publishes to must use a customer managed KMS key
whose key policy admits CloudWatch (SNS Developer Guide, "Enable compatibility between event sources
from AWS services and encrypted topics"), and the AWS managed key alias/aws/sns has a key policy no
one can change, so alarms could not publish to it. Alarm messages carry alarm names, states and
metric values, no application data; a CMK would add a key per stack to the estimate.

An e-mail subscription stays pending (SubscriptionArn "pending confirmation") until someone follows
the link AWS mails: Pulumi cannot confirm it, and AWS removes an unconfirmed one only with the topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"


@dataclass
class AlarmTopicArgs:
    """Inputs of `AlarmTopic`.

    region: the stack's region (the alarms' ARNs are in it).
    email: an address to subscribe; "" for none.
    tags: tags for the topic.
    """

    region: str
    email: str
    tags: dict[str, str]


class AlarmTopic(pulumi.ComponentResource):
    """The topic, its policy and the e-mail subscription."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlarmTopicArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:observability:AlarmTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(name, tags=args.tags, opts=child)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, account).apply(
                lambda values: json.dumps(alarm_publish_policy(values[0], values[1], args.region))
            ),
            opts=child,
        )
        if args.email:
            aws.sns.TopicSubscription(f"{name}-email", topic=topic.arn, protocol="email", endpoint=args.email, opts=child)
        self.arn = topic.arn
        self.register_outputs({"arn": self.arn})


def alarm_publish_policy(topic_arn: str, account_id: str, region: str) -> dict[str, Any]:
    """CloudWatch may publish to the topic for this account's alarms in `region`, and no one else by this policy."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudWatchAlarmsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH_PRINCIPAL},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*"},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            }
        ],
    }
