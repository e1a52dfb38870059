"""How a Fargate pod's network is bounded: security groups for pods, and the EKS cluster security group.

Sources (read first-hand): the EKS user guide at awsdocs/amazon-eks-user-guide@4d52b4d
(`networking/sec-group-reqs.adoc`, `networking/eks-networking-add-ons.adoc` "Security groups for
Pods", `nodes/fargate.adoc`, `clusters/management/metrics-server.adoc`), the VPC resource
controller at aws/amazon-vpc-resource-controller-k8s@b8d4251 (`webhooks/core/pod_webhook.go`,
`pkg/utils/helper.go`, the SecurityGroupPolicy CRD), and the load balancer controller at v3.5.0
(`pkg/networking/networking_manager.go`).

- A Fargate pod that no SecurityGroupPolicy of its namespace selects gets the cluster security
  group, whose default inbound rule admits all traffic from itself: every such pod reaches every
  other on every port.
- A pod a policy selects gets that policy's groups only (the cluster group is replaced): the
  union of every matching policy's groups, at most 5. Policies apply to pods created after them.
- On Fargate the VPC resource controller runs on the control plane and writes the groups into the
  pod's `fargate.amazonaws.com/pod-sg` annotation when the pod is created; no CNI setting is needed.
- The control plane reaches a Fargate pod's kubelet on TCP 10250 (`kubectl logs`, `exec`; the
  metrics server scrapes it), from the cluster security group, which is on its network interfaces.
- A pod reaches the API server on TCP 443 and CoreDNS (on the cluster group) on TCP and UDP 53.
- The load balancer controller adds, for each target group, an inbound rule on the target's port
  from its shared backend security group to the pod's group: the pod's only group, or the one of
  several tagged `kubernetes.io/cluster/<cluster>`.
"""

SECURITY_GROUP_POLICY_API_VERSION = "vpcresources.k8s.aws/v1beta1"
SECURITY_GROUP_POLICY_KIND = "SecurityGroupPolicy"

KUBELET_PORT = 10250
API_SERVER_PORT = 443
DNS_PORT = 53

ALL_PROTOCOLS = "-1"
ALL_PORTS = (0, 65535)

# The rules EKS gives the cluster security group (sec-group-reqs.adoc: inbound all from itself,
# outbound all), as (direction, protocol, ports, peer): peer "self" or a CIDR.
CLUSTER_GROUP_DEFAULT_RULES = (
    ("ingress", ALL_PROTOCOLS, ALL_PORTS, "self"),
    ("egress", ALL_PROTOCOLS, ALL_PORTS, "0.0.0.0/0"),
)

# The tag that makes a group the one the load balancer controller adds its rules to when a pod
# has several groups; with a single group the controller uses it tagged or not.
CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"
