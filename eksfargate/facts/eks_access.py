"""EKS access policies (EKS user guide, "Associate access policies with access entries"): the
ARN prefix every AWS-managed cluster access policy shares, the cluster admin policy, and the
namespace-scoped ones a tenant team may hold. The tenant program grants them, the policy pack
refuses any other in a tenant stack."""

ACCESS_POLICY_ARN_PREFIX = "arn:aws:eks::aws:cluster-access-policy/"
CLUSTER_ADMIN_POLICY_ARN = f"{ACCESS_POLICY_ARN_PREFIX}AmazonEKSClusterAdminPolicy"

# accessLevel setting -> the policy; no cluster-scoped one is offered to a tenant.
TENANT_ACCESS_POLICIES = {"edit": "AmazonEKSEditPolicy", "view": "AmazonEKSViewPolicy"}
