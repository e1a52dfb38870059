"""A tenant's web workload behind the platform's load balancer controller.

The workload is a `WorkloadSpec` (eksfargate/workload.py), rendered with the same hardening as the
platform's app (components/workload.py): a Deployment, its disruption budget (and autoscaler,
with a range), a ConfigMap for its configuration files, a Service and an Ingress in the
tenant's namespace. With `group` set the Ingress joins that IngressGroup of the controller: one
ALB for every tenant in it, the tenant's rules matching its own host only; otherwise the
tenant gets an ALB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components import ingress as ingresses
from components import workload
from eksfargate.workload import WorkloadSpec

# Pods carry the Fargate profile that must run them: EKS schedules a pod with this label on
# that profile only (and the policy pack checks the profile covers it).
FARGATE_PROFILE_LABEL = "eks.amazonaws.com/fargate-profile"


@dataclass
class TenantAppArgs:
    """Inputs of `TenantApp`.

    app: the workload's name (its objects are named after it).
    namespace: the tenant's namespace (an output: everything waits for it).
    workload: what runs: image, port, probe, size, replicas or an autoscaler range, service account.
    fargate_profile: the platform profile whose selector covers the namespace, as an output
        that resolves only once the platform's selector is known to cover it.
    ingress_class: the platform controller's IngressClass.
    group, group_order, host: the shared ALB's IngressGroup, this tenant's order in it and
        the host its rules match; group None: an ALB of the tenant's own (host optional).
    certificate_arn: an ACM certificate for `host`: HTTPS, with HTTP redirected to it. On the
        shared ALB it joins the group's HTTPS listener beside the other tenants' (SNI).
    provider: the Kubernetes provider of the platform's cluster.
    runs_after: what pods need first: the namespace's quota and LimitRange (and the service account).
    """

    app: str
    namespace: pulumi.Input[str]
    workload: WorkloadSpec
    fargate_profile: pulumi.Input[str]
    ingress_class: pulumi.Input[str]
    group: pulumi.Input[str] | None
    group_order: int
    host: str
    provider: k8s.Provider
    runs_after: Sequence[pulumi.Resource]
    certificate_arn: pulumi.Input[str] | None = None


class TenantApp(pulumi.ComponentResource):
    """Deployment, disruption budget, autoscaler, configuration, Service and Ingress of a tenant's web workload."""

    url: pulumi.Output[str]
    load_balancer_hostname: pulumi.Output[str]

    def __init__(self, name: str, args: TenantAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:tenant:TenantApp", name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.provider)
        labels = {"app.kubernetes.io/name": args.app}
        meta = {"namespace": args.namespace, "labels": labels}

        spec = args.workload
        config_map = None
        if spec.config_files:
            config_map = k8s.core.v1.ConfigMap(
                f"{name}-config",
                metadata={**meta, "name": workload.config_map_name(args.app, spec)},
                data=workload.config_data(spec),
                opts=on_cluster,
            ).metadata.name
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={**meta, "name": args.app},
            spec=workload.deployment_spec(spec, labels, {**labels, FARGATE_PROFILE_LABEL: args.fargate_profile}, {}, config_map),
            # Pods wait for the quota and LimitRange that admit them; the profile label above
            # makes them wait for the platform's selector too.
            opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=list(args.runs_after))),
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget",
            metadata={**meta, "name": args.app},
            spec=workload.budget_spec(labels),
            opts=on_cluster,
        )
        if spec.autoscaling is not None:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata={**meta, "name": args.app},
                spec=workload.autoscaler_spec(spec, deployment.metadata.name),
                opts=on_cluster,
            )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": args.app},
            spec={
                "type": "ClusterIP",
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=on_cluster,
        )

        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={
                **meta,
                "name": args.app,
                "annotations": ingresses.alb_annotations(args.certificate_arn, args.group, args.group_order),
            },
            spec=ingresses.spec(args.ingress_class, service.metadata.name, args.host),
            opts=on_cluster,
        )
        self.load_balancer_hostname = ingresses.load_balancer_hostname(ingress)
        self.url = ingresses.url(args.host, args.certificate_arn is not None, self.load_balancer_hostname)
        self.register_outputs({"url": self.url})
