"""A public ACM certificate for one host, validated through DNS in a Route 53 hosted zone."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class CertificateArgs:
    """Inputs of `Certificate`.

    host: the one name the certificate is for (no wildcard: each app proves its own host).
    hosted_zone: the Route 53 public hosted zone that holds `host`; ACM's validation record
        (a CNAME) is written there, and kept: ACM renews the certificate through it.
    tags: tags for the certificate.
    """

    host: str
    hosted_zone: str
    tags: dict[str, str]


class Certificate(pulumi.ComponentResource):
    """The certificate, its validation record, and the wait until ACM has issued it."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, args: CertificateArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:edge:Certificate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        zone = aws.route53.get_zone_output(
            name=args.hosted_zone, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=args.host,
            validation_method="DNS",
            tags=args.tags,
            opts=child,
        )
        # One host, so one validation record.
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=zone.zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            # A certificate requested again for the same host gets the same record from ACM.
            allow_overwrite=True,
            opts=child,
        )
        # Resolves only once ACM has issued the certificate: what uses `arn` waits for that
        # (the controller refuses a listener with a certificate that is not issued).
        validation = aws.acm.CertificateValidation(
            f"{name}-issued", certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn], opts=child
        )
        self.arn = validation.certificate_arn
        self.register_outputs({"arn": self.arn})
