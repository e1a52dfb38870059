"""An app's secrets from AWS, as External Secrets Operator objects in its namespace: never their values.

Per service the app reads from (Secrets Manager, Parameter Store): one SecretStore that authenticates
as the app's own IRSA service account (`auth.jwt.serviceAccountRef`; a namespaced store can name only
a service account of its own namespace, external-secrets apis/meta/v1 `ServiceAccountSelector`), and
one ExternalSecret that copies the named secrets into a Kubernetes Secret ESO owns, read again every
refresh interval. The Deployment reads that Secret (components/workload.py: `secretKeyRef` variables,
read-only secret volumes); its pods wait for the ExternalSecrets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.tenant_service_account import TenantServiceAccount
from eksfargate import secrets
from eksfargate.facts.external_secrets import API_VERSION, EXTERNAL_SECRET_KIND, SECRET_STORE_KIND, SERVICE_PREFIXES
from eksfargate.secrets import AwsSecrets


@dataclass
class WorkloadSecretsArgs:
    """Inputs of `WorkloadSecrets`.

    app: the app's name; its stores and target Secrets are named after it and the service.
    namespace: the app's namespace.
    service_account: the app's IRSA service account, whose role may read exactly these secrets.
    aws_secrets: what it reads (names and ARNs).
    region: the stack's region, where every store reads.
    provider: the Kubernetes provider of the cluster.
    runs_after: what the stores and ExternalSecrets need first: the service account and its read policy,
        and the operator's release where the same stack makes it (its CRDs and webhook).
    store_annotations: annotations of each store (a tenant's: the platform's operator, which its
        value waits for).
    """

    app: str
    namespace: pulumi.Input[str]
    service_account: str
    aws_secrets: AwsSecrets
    region: str
    provider: k8s.Provider
    runs_after: Sequence[pulumi.Resource]
    store_annotations: Mapping[str, pulumi.Input[str]] | None = None


def store_spec(service: str, region: str, service_account: str) -> dict[str, Any]:
    return {
        "provider": {
            "aws": {"service": service, "region": region, "auth": {"jwt": {"serviceAccountRef": {"name": service_account}}}}
        }
    }


def external_secret_spec(app: str, service: str, aws_secrets: AwsSecrets) -> dict[str, Any]:
    data = []
    for secret in aws_secrets.items:
        if secret.service == service:
            remote: dict[str, str] = {"key": secret.remote_key}
            if secret.json_key:
                remote["property"] = secret.json_key
            data.append({"secretKey": secret.secret_key, "remoteRef": remote})
    return {
        "refreshInterval": aws_secrets.refresh_interval,
        "secretStoreRef": {"name": secrets.service_object_name(app, service), "kind": SECRET_STORE_KIND},
        # Owner: ESO creates the Secret and Kubernetes deletes it with the ExternalSecret.
        "target": {"name": secrets.service_object_name(app, service), "creationPolicy": "Owner"},
        "data": data,
    }


class WorkloadSecrets(pulumi.ComponentResource):
    """A SecretStore and an ExternalSecret per AWS service the app reads from."""

    external_secrets: list[k8s.apiextensions.CustomResource]

    def __init__(self, name: str, args: WorkloadSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eksfargate:secrets:WorkloadSecrets", name, None, opts)
        self.external_secrets = []
        for service in secrets.services(args.aws_secrets.items):
            key = SERVICE_PREFIXES[service]
            on_cluster = pulumi.ResourceOptions(parent=self, provider=args.provider)
            meta: dict[str, Any] = {"namespace": args.namespace, "name": secrets.service_object_name(args.app, service)}
            store = k8s.apiextensions.CustomResource(
                f"{name}-{key}-store",
                api_version=API_VERSION,
                kind=SECRET_STORE_KIND,
                metadata={**meta, **({"annotations": dict(args.store_annotations)} if args.store_annotations else {})},
                spec=store_spec(service, args.region, args.service_account),
                # ESO's webhook validates a store, and its first read assumes the account's role.
                opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=list(args.runs_after))),
            )
            self.external_secrets.append(
                k8s.apiextensions.CustomResource(
                    f"{name}-{key}",
                    api_version=API_VERSION,
                    kind=EXTERNAL_SECRET_KIND,
                    metadata=meta,
                    spec=external_secret_spec(args.app, service, args.aws_secrets),
                    # Its first sync reads through the store, as the role its read policy is on.
                    opts=pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=[store, *args.runs_after])),
                )
            )
        self.register_outputs({})


@dataclass
class SecretAccess:
    """How an app's secrets are read, for `WebApp` (components/web_app.py).

    region: the stack's region, where every store reads.
    read_policy: the JSON policy that grants the app's role its secrets (eksfargate/secrets.py read_policy),
        for the service account the app makes; unused with `service_account`, which has it already.
    runs_after: what the stores need besides the service account: the operator's release when the same
        stack makes it.
    service_account: the app's IRSA service account when it exists already (a tenant's, its read policy
        attached); None: the app makes one in its namespace (the platform's app).
    store_annotations: see WorkloadSecretsArgs.
    """

    region: str
    read_policy: str = ""
    runs_after: Sequence[pulumi.Resource] = ()
    service_account: TenantServiceAccount | None = None
    store_annotations: Mapping[str, pulumi.Input[str]] | None = None


def caller_account() -> tuple[str, str]:
    """The stack's AWS account and partition, from the credentials' identity (a plain invoke: the programs check
    ARNs against them before they declare anything)."""
    return aws.get_caller_identity().account_id, aws.get_partition().partition
