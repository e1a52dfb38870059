"""Pod Security Admission: the namespace labels that make the API server hold pods to a Pod Security Standard.

Labels `pod-security.kubernetes.io/<mode>` with a level (privileged, baseline, restricted) and
`<mode>-version` ("latest" or "v1.x"); modes: enforce (reject the pod), audit (record it in the
audit log), warn (warn the client). Source: kubernetes/pod-security-admission api/constants.go
and the Kubernetes documentation's "Pod Security Admission" page.
"""

RESTRICTED = "restricted"
# "latest": the standard as the cluster's own Kubernetes version defines it. A tenant cannot pin
# its platform's version (it is the platform's output, unknown when the tenant plans), and the
# stack's workloads meet the standard as written today.
POD_SECURITY_VERSION = "latest"
POD_SECURITY_MODES = ("enforce", "audit", "warn")

RESTRICTED_NAMESPACE_LABELS = {
    **{f"pod-security.kubernetes.io/{mode}": RESTRICTED for mode in POD_SECURITY_MODES},
    **{f"pod-security.kubernetes.io/{mode}-version": POD_SECURITY_VERSION for mode in POD_SECURITY_MODES},
}
