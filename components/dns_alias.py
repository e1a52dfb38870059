"""A Route 53 alias record from an app's host to the ALB the load balancer controller made for it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class DnsAliasArgs:
    """Inputs of `DnsAlias`.

    host: the record's name.
    hosted_zone: the Route 53 public hosted zone that holds `host`.
    load_balancer_hostname: the ALB's DNS name, from the Ingress's status.
    """

    host: str
    hosted_zone: str
    load_balancer_hostname: pulumi.Input[str]


class DnsAlias(pulumi.ComponentResource):
    """An A record aliasing `host` to the ALB (IPv4: the controller's default address type)."""

    def __init__(self, name: str, args: DnsAliasArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:edge:DnsAlias", name, None, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        zone = aws.route53.get_zone_output(name=args.hosted_zone, private_zone=False, opts=invoke)
        # ALBs of a region share one canonical hosted zone; the provider keeps the table.
        load_balancers = aws.lb.get_hosted_zone_id_output(load_balancer_type="application", opts=invoke)
        record = aws.route53.Record(
            f"{name}-record",
            zone_id=zone.zone_id,
            name=args.host,
            type="A",
            aliases=[
                # Route 53 answers with the ALB's current addresses, and stops when it has no healthy target.
                {"name": args.load_balancer_hostname, "zone_id": load_balancers.id, "evaluate_target_health": True}
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"fqdn": record.fqdn})
