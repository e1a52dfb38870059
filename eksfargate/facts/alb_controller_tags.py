"""The tags the pinned AWS Load Balancer Controller (v3.5.0) puts on the ALBs and target groups it makes.

An app's alarms name its ALB and target group by their ARN suffixes, which AWS assigns; the
stack finds them by these tags once the controller has made them (components/app_alarms.py).
From kubernetes-sigs/aws-load-balancer-controller at v3.5.0 (11eb202c):

- `pkg/deploy/tracking/provider.go`: every resource gets `elbv2.k8s.aws/cluster: <cluster>`
  (`pkg/shared_constants/tag_keys.go`) and `ingress.k8s.aws/stack: <stack id>` (the prefix is
  `ingress.k8s.aws`, `controllers/ingress/group_controller.go`), plus `ingress.k8s.aws/resource`.
- The stack id is the IngressGroup's id (`pkg/ingress/model_builder.go`: `StackID(ingGroup.ID)`):
  for an explicit group (`group.name`) its name alone, for an Ingress on its own
  `<namespace>/<ingress>` (`pkg/ingress/group.go`, `pkg/model/core/stack_id.go`). So every
  member of the shared ALB's group carries the group's name, and its target groups are told apart
  by the resource tag alone.
- The resource id: `LoadBalancer` for the ALB (`pkg/shared_constants/stack.go`), and
  `<ingress namespace>/<ingress>-<service>:<port>` for a target group
  (`pkg/ingress/model_build_target_group.go` buildTargetGroupResourceID), the port as the Ingress's
  backend names it (`enhanced_backend_builder.go`: a port name stays a name).

Not the `load-balancer-name` annotation: it makes the ALB's name fixed, not the id AWS appends to
it in the ARN (and so in the LoadBalancer dimension); it is Exclusive across a group and takes
effect only when the ALB is created; and no annotation names a target group, whose generated
name hashes the Service's UID (model_build_target_group.go), so it changes when the Service is
made again. The tags hold on every ALB the controller makes, shared or not.

Standard library only.
"""

from __future__ import annotations

CLUSTER_TAG = "elbv2.k8s.aws/cluster"
STACK_TAG = "ingress.k8s.aws/stack"
RESOURCE_TAG = "ingress.k8s.aws/resource"
LOAD_BALANCER_RESOURCE = "LoadBalancer"


def stack_id(namespace: str, ingress: str, group: str | None) -> str:
    """The controller's stack id of an Ingress: its IngressGroup's name, or `<namespace>/<ingress>` on its own."""
    return group if group else f"{namespace}/{ingress}"


def load_balancer_tags(cluster: str, namespace: str, ingress: str, group: str | None) -> dict[str, str]:
    """Tags that match exactly the ALB the controller makes for the Ingress (or its group) in `cluster`."""
    return {CLUSTER_TAG: cluster, STACK_TAG: stack_id(namespace, ingress, group), RESOURCE_TAG: LOAD_BALANCER_RESOURCE}


def target_group_tags(cluster: str, namespace: str, ingress: str, service: str, port: str, group: str | None) -> dict[str, str]:
    """Tags that match exactly the target group the controller makes for the Ingress's backend `service`:`port`."""
    return {
        CLUSTER_TAG: cluster,
        STACK_TAG: stack_id(namespace, ingress, group),
        RESOURCE_TAG: f"{namespace}/{ingress}-{service}:{port}",
    }
