"""A web workload behind the platform's load balancer controller: the platform's app and every tenant's.

The workload is a `WorkloadSpec` (eksfargate/workload.py), rendered hardened by components/workload.py:
a Deployment, its disruption budget (and autoscaler, with a range), a ConfigMap for its
configuration files, a Service and an Ingress. With `group` set the Ingress joins that IngressGroup
of the controller: one ALB for every member, each member's rules matching its own host only;
otherwise the app gets an ALB of its own.

Each app's namespace is a network boundary of its own (components/namespace_security_group.py):
its pods carry the namespace's security group alone, which admits the load balancer, the control
plane and the namespace's own pods, and nothing of another namespace.

Both kinds of app get the same shape; only names differ (`WebAppNames`): the platform's app keeps
the walkthrough's (`deployment-2048`, `service-2048`, `ingress-2048`) whatever its image, since
renaming an object replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components import ingress as ingresses
from components import workload
from components.cluster_context import ClusterContext, RunsPods
from components.namespace_security_group import NamespaceSecurityGroup, NamespaceSecurityGroupArgs
from components.tenant_service_account import TenantServiceAccount, TenantServiceAccountArgs
from components.workload_secrets import SecretAccess, WorkloadSecrets, WorkloadSecretsArgs
from eksfargate.facts.pod_placement import READINESS_GATE_LABEL
from eksfargate.workload import WorkloadSpec

SECURITY_GROUP_ANNOTATION = "eks-fargate/security-group"


@dataclass(frozen=True)
class WebAppNames:
    """What an app's resources are called. Each is part of a URN or an object's name: fixed once deployed.

    component_type: the component's Pulumi type token.
    app: the `app.kubernetes.io/name` label its pods carry and its Service selects.
    deployment, service, ingress: the objects' names; the disruption budget and autoscaler are
        named after the Deployment.
    config_map: the configuration ConfigMap's name, before its content hash.
    config_resource: the ConfigMap's Pulumi resource name, after the component's.
    """

    component_type: str
    app: str
    deployment: str
    service: str
    ingress: str
    config_map: str
    config_resource: str

    @staticmethod
    def walkthrough() -> WebAppNames:
        """The platform's app: the names of the eksctl walkthrough's 2048 game."""
        return WebAppNames(
            component_type="eksfargate:app:Game2048",
            app="app-2048",
            deployment="deployment-2048",
            service="service-2048",
            ingress="ingress-2048",
            config_map="nginx-2048",
            config_resource="nginx-conf",
        )

    @staticmethod
    def tenant(app: str) -> WebAppNames:
        """A tenant's app: every object named after it."""
        return WebAppNames("eksfargate:tenant:TenantApp", app, app, app, app, app, "config")


@dataclass
class WebAppArgs:
    """Inputs of `WebApp`.

    names: what its resources are called (`WebAppNames`).
    namespace: the app's namespace; a Fargate profile must cover it.
    creates_namespace: make the namespace here, with the controller's readiness-gate label (the
        platform's app); False: it exists already and carries the label (a tenant's TenantNamespace).
    workload: what runs: image, port, probe, size, replicas or an autoscaler range (an HPA owns
        the replica count when it has one, which needs metrics-server), service account.
    cluster: where its pods run: the provider, what rolls them, what they start after.
    runs_after: what its pods need first besides (its namespace's Fargate profile; a tenant's
        quota, LimitRange and service account).
    ingress_class: the platform controller's IngressClass.
    ingress_controller: the controller's release, when the same stack makes it: the Service and
        Ingress are created after it (its webhooks reject them until its pods are ready) and
        deleted before it (it removes the ALB).
    pod_labels: labels the pods carry besides `names.app` (a tenant's Fargate profile).
    group, group_order: the shared ALB's IngressGroup and this app's order in it; None: an ALB
        of its own.
    host: the host its rules match; empty: any (the ALB's own DNS name).
    certificate_arn: an ACM certificate for `host`: HTTPS, with HTTP redirected to it. On a
        shared ALB it joins the group's HTTPS listener beside the other members' (SNI).
    public_subnet_ids: when set, the ALB goes in these subnets instead of the ones the
        controller discovers by tag (existing VPCs whose subnets carry no tags).
    secret_access: how the workload's secrets from AWS are read (components/workload_secrets.py);
        needed when it declares any.
    """

    names: WebAppNames
    namespace: pulumi.Input[str]
    creates_namespace: bool
    workload: WorkloadSpec
    cluster: RunsPods
    runs_after: Sequence[pulumi.Resource]
    ingress_class: pulumi.Input[str]
    ingress_controller: pulumi.Resource | None = None
    pod_labels: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    group: pulumi.Input[str] | None = None
    group_order: int = 0
    host: str = ""
    certificate_arn: pulumi.Input[str] | None = None
    public_subnet_ids: Sequence[pulumi.Input[str]] | None = None
    secret_access: SecretAccess | None = None


class WebApp(pulumi.ComponentResource):
    """Configuration, Deployment, disruption budget, autoscaler, Service and Ingress of a web workload (and its namespace)."""

    url: pulumi.Output[str]
    load_balancer_hostname: pulumi.Output[str]

    def __init__(self, name: str, args: WebAppArgs, opts: pulumi.ResourceOptions | None = None):
        names = args.names
        super().__init__(names.component_type, name, None, opts)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.cluster.provider)
        labels = {"app.kubernetes.io/name": names.app}

        namespace = args.namespace
        if args.creates_namespace:
            namespace = k8s.core.v1.Namespace(
                f"{name}-namespace", metadata={"name": args.namespace, "labels": READINESS_GATE_LABEL}, opts=on_cluster
            ).metadata.name
        meta = {"namespace": namespace, "labels": labels}

        boundary = NamespaceSecurityGroup(
            f"{name}-network",
            NamespaceSecurityGroupArgs(
                namespace=namespace,
                cluster_name=args.cluster.name,
                vpc_id=args.cluster.vpc_id,
                cluster_security_group_id=args.cluster.security_group_id,
                egress_ports=args.workload.egress_ports,
                provider=args.cluster.provider,
                tags=args.cluster.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        controller = [args.ingress_controller] if args.ingress_controller is not None else []
        after_controller = pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=controller))
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={**meta, "name": names.service},
            spec={
                # With IP targets the ALB reaches pods directly; no NodePort is needed.
                "type": "ClusterIP",
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=after_controller,
        )
        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={
                **meta,
                "name": names.ingress,
                "annotations": ingresses.alb_annotations(
                    args.workload, args.certificate_arn, args.group, args.group_order, args.public_subnet_ids
                ),
            },
            spec=ingresses.spec(args.ingress_class, service.metadata.name, args.host),
            opts=after_controller,
        )

        spec = args.workload
        secret_readers = self._secrets(name, args, namespace)
        config_map = None
        if spec.config_files:
            # Named after its content: a new configuration is a new ConfigMap, created before the
            # pods roll onto it and deleted after (a fixed name would be deleted first).
            config_map = k8s.core.v1.ConfigMap(
                f"{name}-{names.config_resource}",
                metadata={**meta, "name": workload.config_map_name(names.config_map, spec)},
                data=workload.config_data(spec),
                opts=on_cluster,
            ).metadata.name
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={**meta, "name": names.deployment},
            spec=workload.deployment_spec(
                spec,
                labels,
                {**labels, **args.pod_labels},
                # A pod takes its security groups when it starts: a new group rolls the pods.
                {**args.cluster.pod_annotations(), SECURITY_GROUP_ANNOTATION: boundary.group_id},
                config_map,
            ),
            # Without its Fargate profile (and a tenant's quota and LimitRange) the pods would stay
            # Pending, and on destroy the pods must go before the profile they run on. After the
            # controller: on an upgrade the app's pods roll last (control plane, CoreDNS,
            # controller, app). After the Service and Ingress: the controller injects readiness
            # gates only into pods created once those exist. After the namespace's security group
            # policy: a pod started before it would keep the cluster group. After its ExternalSecrets and
            # service account: a pod whose Secret or account is missing does not start.
            opts=pulumi.ResourceOptions.merge(
                on_cluster,
                pulumi.ResourceOptions(
                    depends_on=args.cluster.pods_after(
                        *args.runs_after, *controller, service, ingress, boundary.policy, *secret_readers
                    )
                ),
            ),
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget",
            metadata={**meta, "name": names.deployment},
            spec=workload.budget_spec(labels),
            opts=on_cluster,
        )
        if spec.autoscaling is not None:
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata={**meta, "name": names.deployment},
                spec=workload.autoscaler_spec(spec, deployment.metadata.name),
                opts=on_cluster,
            )

        self.load_balancer_hostname = ingresses.load_balancer_hostname(ingress)
        self.url = ingresses.url(args.host, args.certificate_arn is not None, self.load_balancer_hostname)
        self.register_outputs({"url": self.url})

    def _secrets(self, name: str, args: WebAppArgs, namespace: pulumi.Input[str]) -> list[pulumi.Resource]:
        """The workload's SecretStores and ExternalSecrets (and the platform app's service account): what its pods wait for."""
        spec, access = args.workload, args.secret_access
        if not spec.aws_secrets.items:
            return []
        if access is None or not spec.service_account:
            raise ValueError(f"{name}: a workload that reads secrets from AWS needs a service account and secret_access")
        account = access.service_account
        if account is None:
            if not isinstance(args.cluster, ClusterContext):
                raise ValueError(f"{name}: only the platform's own cluster makes the app's service account")
            account = TenantServiceAccount(
                f"{name}-service-account",
                TenantServiceAccountArgs(
                    namespace=namespace,
                    service_account=spec.service_account,
                    policy_arns=[],
                    cluster=args.cluster,
                    read_policy=access.read_policy,
                    component_type="eksfargate:app:AppServiceAccount",
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        readers = WorkloadSecrets(
            f"{name}-secrets",
            WorkloadSecretsArgs(
                app=spec.name,
                namespace=namespace,
                service_account=spec.service_account,
                aws_secrets=spec.aws_secrets,
                region=access.region,
                provider=args.cluster.provider,
                runs_after=[*account.ready, *access.runs_after],
                store_annotations=access.store_annotations,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return [*account.ready, *readers.external_secrets]
