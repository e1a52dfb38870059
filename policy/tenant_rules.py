"""Rules for tenant stacks (the tenant/ project): a tenant keeps to namespaces of its own.

A stack is a tenant stack when it reads a platform's tenant outputs through a StackReference
(reading.tenant_platform). Such a stack may declare only namespaces that match its platform's
tenant rule (the selector of the platform's `tenants` Fargate profile), only objects inside
the namespaces it declares, no cluster-scoped object and no Helm chart (whose objects the pack
cannot see), no Fargate profile (the platform owns them: EKS allows 10 per cluster by default and changes
one at a time), and EKS access only through edit or view policies scoped to its namespaces.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from eksfargate.facts.eks_access import TENANT_ACCESS_POLICIES
from eksfargate.facts.eks_wildcards import wildcard_matches
from eksfargate.facts.kubernetes_kinds import CLUSTER_SCOPED_KINDS, NAMESPACE
from eksfargate.facts.resource_types import ACCESS_ENTRY, ACCESS_POLICY_ASSOCIATION, FARGATE_PROFILE, HELM_RELEASE
from policy.declare import ADVISORY, MANDATORY, stack_policy
from policy.reading import UNKNOWN, get, get_list, kind_of, known_str, tenant_platform

# What a tenant may not declare: every kind outside any namespace but the Namespaces it keeps to
# (tenant-namespaces-follow-platform-rule judges their names).
PLATFORM_ONLY_KINDS = CLUSTER_SCOPED_KINDS - {NAMESPACE}


def _declared_namespaces(resources: list[PolicyResource]) -> set[str]:
    return {
        name
        for r in resources
        if kind_of(r.resource_type) == "Namespace" and (name := known_str(get(r.props, "metadata", "name")))
    }


@stack_policy(
    "tenant-namespaces-follow-platform-rule",
    MANDATORY,
    "A tenant stack's namespaces match its platform's tenant rule (its Fargate selector) and are never kube-*.",
)
def tenant_namespaces_follow_platform_rule(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    platform = tenant_platform(args.resources)
    if platform is None:
        return
    for resource in args.resources:
        if kind_of(resource.resource_type) != "Namespace":
            continue
        name = known_str(get(resource.props, "metadata", "name"))
        if name and (name.startswith("kube-") or not wildcard_matches(platform.selector, name)):
            report_violation(
                f"Namespace '{name}' is not a tenant namespace of platform {platform.stack}: its Fargate profile "
                f"{platform.profile} selects '{platform.selector}', and kube-* belong to Kubernetes. Name the namespace "
                f"by the platform's rule.",
                resource.urn,
            )


@stack_policy(
    "tenant-objects-stay-in-own-namespaces",
    MANDATORY,
    "A tenant stack declares Kubernetes objects only in namespaces it declares: no cluster-scoped object, no Helm chart.",
)
def tenant_objects_stay_in_own_namespaces(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if tenant_platform(args.resources) is None:
        return
    own = _declared_namespaces(args.resources)
    for resource in args.resources:
        kind = kind_of(resource.resource_type)
        if resource.resource_type == HELM_RELEASE:
            report_violation(
                "A Helm release in a tenant stack: its chart may create objects in other namespaces or cluster-wide, "
                "which this pack cannot see. Declare the objects themselves in the tenant's namespace.",
                resource.urn,
            )
        elif kind in PLATFORM_ONLY_KINDS:
            report_violation(
                f"{kind} is cluster-scoped: a tenant stack may not declare it (it would reach every tenant's "
                "namespace or the platform). Ask the platform team, or use a Role and RoleBinding in your namespace.",
                resource.urn,
            )
        elif kind is not None and kind != "Namespace":
            namespace = known_str(get(resource.props, "metadata", "namespace"))
            if namespace not in own:
                report_violation(
                    f"{kind} '{known_str(get(resource.props, 'metadata', 'name'))}' is in namespace '{namespace}', "
                    f"which this tenant stack does not declare (it declares {sorted(own)}): a tenant touches only its "
                    "own namespaces.",
                    resource.urn,
                )


@stack_policy(
    "tenant-access-namespace-scoped",
    MANDATORY,
    "A tenant's EKS access is an edit or view policy scoped to its own namespaces, with no Kubernetes groups.",
)
def tenant_access_namespace_scoped(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if tenant_platform(args.resources) is None:
        return
    own = _declared_namespaces(args.resources)
    for resource in args.resources:
        if resource.resource_type == ACCESS_ENTRY:
            groups = get_list(resource.props, "kubernetesGroups")
            if groups is not UNKNOWN and groups:
                report_violation(
                    f"Access entry with Kubernetes groups {list(groups)}: groups bind through RBAC the tenant stack "
                    "does not control (system:masters is cluster-admin). Use an access policy scoped to the namespace.",
                    resource.urn,
                )
        if resource.resource_type != ACCESS_POLICY_ASSOCIATION:
            continue
        policy_arn = known_str(get(resource.props, "policyArn")) or ""
        scope_type = known_str(get(resource.props, "accessScope", "type"))
        namespaces = get_list(resource.props, "accessScope", "namespaces")
        if policy_arn and policy_arn.rsplit("/", 1)[-1] not in TENANT_ACCESS_POLICIES.values():
            report_violation(
                f"Access policy {policy_arn}: a tenant may hold only {' or '.join(TENANT_ACCESS_POLICIES.values())}.",
                resource.urn,
            )
        if scope_type is not None and scope_type != "namespace":
            report_violation(
                f"Access scope '{scope_type}': a tenant's access is scoped to its namespaces (type namespace), "
                "never the cluster.",
                resource.urn,
            )
        if namespaces is not UNKNOWN:
            outside = [str(ns) for ns in namespaces or [] if str(ns) not in own]
            if outside or not namespaces:
                report_violation(
                    f"Access scope namespaces {list(namespaces or [])}: only namespaces this tenant stack declares "
                    f"({sorted(own)}) may be named (EKS accepts wildcards and never checks that they exist).",
                    resource.urn,
                )


@stack_policy(
    "tenant-no-fargate-profiles",
    MANDATORY,
    "A tenant stack creates no Fargate profile: the platform's tenant profile covers its namespaces.",
)
def tenant_no_fargate_profiles(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    platform = tenant_platform(args.resources)
    if platform is None:
        return
    for resource in args.resources:
        if resource.resource_type == FARGATE_PROFILE:
            report_violation(
                f"Fargate profile in a tenant stack: EKS allows 10 per cluster by default and creates or deletes one at a time, "
                f"so tenants' updates would collide. Platform {platform.stack}'s profile {platform.profile} covers "
                f"'{platform.selector}'.",
                resource.urn,
            )


@stack_policy(
    "tenant-team-has-access",
    ADVISORY,
    "A tenant stack gives its team access to its namespace: an EKS access entry with a namespace-scoped policy.",
)
def tenant_team_has_access(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    platform = tenant_platform(args.resources)
    if platform is None:
        return
    if any(r.resource_type in (ACCESS_ENTRY, ACCESS_POLICY_ASSOCIATION) for r in args.resources):
        return
    own = sorted(_declared_namespaces(args.resources))
    report_violation(
        f"The team has no access to its namespace {', '.join(own) or '(none declared)'} on platform {platform.stack}'s "
        "cluster: the stack declares no EKS access entry, so only the platform's admins can run kubectl there. Set "
        "teamRoleArn to the team's IAM role (it gets accessLevel, edit or view, in the namespace only).",
        None,
    )
