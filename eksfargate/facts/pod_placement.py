"""Labels that decide where a pod runs and when it counts as ready, as EKS and the load balancer controller read them."""

# EKS schedules a pod with this label on the named Fargate profile only (and the policy pack
# checks that the profile's selectors cover the pod's namespace).
FARGATE_PROFILE_LABEL = "eks.amazonaws.com/fargate-profile"

# The load balancer controller injects a readiness gate into new pods of a namespace with this
# label (IP targets only): a pod counts as Ready only once the ALB finds its target healthy, so a
# rollout or an eviction never takes the last healthy targets out first.
READINESS_GATE_LABEL = {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}

# EKS labels every Fargate node so (EKS user guide and the ADOT Container Insights guide for Fargate:
# `kubectl get nodes -l eks.amazonaws.com/compute-type=fargate`); an EC2 node lacks it.
COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
FARGATE_COMPUTE_TYPE = "fargate"
