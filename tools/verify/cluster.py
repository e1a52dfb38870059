"""Reads of the cluster through the official Kubernetes client, which runs the kubeconfig's exec
credential plugin (`aws eks get-token`) as kubectl does. Only list calls, each of them one of
eksfargate/facts/cluster_reads.py's table, which the stack's verifier ClusterRole grants; each answer
is the API's JSON as served (camelCase), so the checks read the same shape the API documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from eksfargate.facts import cluster_reads as reads
from verify.results import ReadError


@dataclass(frozen=True)
class Scope:
    """The namespaces a stack owns: one (a tenant's), or every one but those of its tenants (a platform's)."""

    namespace: str | None
    excluded_prefix: str | None = None

    def owns(self, namespace: str) -> bool:
        if self.namespace is not None:
            return namespace == self.namespace
        return not (self.excluded_prefix and namespace.startswith(self.excluded_prefix))


Object = dict[str, Any]


class Cluster:
    def __init__(self, kubeconfig: dict[str, Any], scope: Scope) -> None:
        try:
            api = config.new_client_from_config_dict(kubeconfig)
        except (ConfigException, KeyError, TypeError, ValueError) as error:
            raise ReadError(f"the kubeconfig output is not a usable kubeconfig ({type(error).__name__})") from None
        self.scope = scope
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)
        self.networking = client.NetworkingV1Api(api)
        self.autoscaling = client.AutoscalingV2Api(api)

    def _read(self, read: reads.ClusterRead, call: Callable[..., Any], *args: str) -> list[Object]:
        try:
            items: list[Object] = json.loads(call(*args, _preload_content=False, _request_timeout=30).data)["items"]
        except ApiException as error:
            raise ReadError(f"listing {read.label}: the API answered {error.status} {error.reason}") from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise ReadError(f"listing {read.label}: {type(error).__name__}: {error}") from None
        except ConfigException as error:
            raise ReadError(f"listing {read.label}: the kubeconfig's credentials failed ({error})") from None
        return items

    def _list(self, read: reads.ClusterRead, everywhere: Callable[..., Any], namespaced: Callable[..., Any]) -> list[Object]:
        """The objects of one kind in the stack's namespaces (one namespaced list for a tenant)."""
        if self.scope.namespace is not None:
            items = self._read(read, namespaced, self.scope.namespace)
        else:
            items = self._read(read, everywhere)
        return [item for item in items if self.scope.owns(item.get("metadata", {}).get("namespace", ""))]

    def nodes(self) -> list[Object]:
        """Every node of the cluster: a pod of the stack's may run on any."""
        return self._read(reads.NODES, self.core.list_node)

    def pods(self) -> list[Object]:
        return self._list(reads.PODS, self.core.list_pod_for_all_namespaces, self.core.list_namespaced_pod)

    def deployments(self) -> list[Object]:
        return self._list(reads.DEPLOYMENTS, self.apps.list_deployment_for_all_namespaces, self.apps.list_namespaced_deployment)

    def ingresses(self) -> list[Object]:
        return self._list(
            reads.INGRESSES, self.networking.list_ingress_for_all_namespaces, self.networking.list_namespaced_ingress
        )

    def autoscalers(self) -> list[Object]:
        return self._list(
            reads.AUTOSCALERS,
            self.autoscaling.list_horizontal_pod_autoscaler_for_all_namespaces,
            self.autoscaling.list_namespaced_horizontal_pod_autoscaler,
        )
