"""The admission policy over tenants' Ingresses (components/ingress_guardrails.py), evaluated.

Its CEL expressions run here in cel-expr-python (CEL's C++ implementation, with the strings
extension at the version the API server loads, 2), as the API server runs them: the match
conditions with `object`, `oldObject` and `request`, then the variables in order, then each
validation with `namespaceObject` too. What they are given is what a team could send with kubectl:
an Ingress as the tenant program renders it (components/ingress.py), then with each override.
What cel-expr-python cannot show: Kubernetes' type checking against the Ingress schema and its cost
limits (the expressions use no Kubernetes library, so both evaluators know every function in them).
"""

import copy
from typing import Any

import pytest
from cel_expr_python import cel
from cel_expr_python.ext import ext_strings

from components import ingress as ingresses
from components.ingress_guardrails import ALLOWED, CONTROLLER_USER, PINNED, policy_spec
from eksfargate import settings
from eksfargate.contract import INGRESS_CLASS, SHARED_ALB_GROUP, TENANT_HOST_ANNOTATION, host_annotation
from eksfargate.facts import alb_ingress_annotations as facts
from eksfargate.tenant_schema import GROUP_ORDER_RANGE
from eksfargate.workload import WorkloadSpec
from offline import registry
from offline.registry.entry import cluster_scoped
from tests import kubernetes_schemas
from tests.stackfacts import setting

POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"

REQUEST_VARIABLES = ("object", "oldObject", "request")
MATCH_ENV = cel.NewEnv(variables=dict.fromkeys(REQUEST_VARIABLES, cel.Type.DYN), extensions=[ext_strings.ExtStrings(2)])
POLICY_ENV = cel.NewEnv(
    variables=dict.fromkeys((*REQUEST_VARIABLES, "namespaceObject", "variables"), cel.Type.DYN),
    extensions=[ext_strings.ExtStrings(2)],
)

HOST = "shop.apps.example.com"
OTHER_HOST = "pay.apps.example.com"
NAMESPACE = "tenant-shop"
TEAM = "arn:aws:sts::123456789012:assumed-role/shop-developers/alice"
CERTIFICATE = "arn:aws:acm:ap-northeast-2:123456789012:certificate/4f0c8a2e-9b7d-4c1e-8a3f-2d6e5b7c9a10"
WORKLOAD = WorkloadSpec(name="shop", image="ghcr.io/example/shop:1.0", port=8080, probe_path="/healthz", replicas=2)


def evaluate(env: Any, expression: str, **activation: Any) -> Any:
    return env.compile(expression).eval(data=activation).plain_value()


def refusals(ingress: dict, namespace: dict, user: str = TEAM, spec: dict | None = None) -> list[str] | None:
    """The messages of the validations `ingress` fails, created in `namespace` by `user`; None: the policy does not apply."""
    spec = spec or policy_spec()
    request = {"namespace": namespace["metadata"]["name"], "operation": "CREATE", "userInfo": {"username": user}}
    activation: dict[str, Any] = {"object": ingress, "oldObject": None, "request": request}
    matched = [evaluate(MATCH_ENV, condition["expression"], **activation) for condition in spec["matchConditions"]]
    assert all(isinstance(m, bool) for m in matched), matched
    if not all(matched):
        return None
    activation |= {"namespaceObject": namespace, "variables": {}}
    for variable in spec["variables"]:
        value = evaluate(POLICY_ENV, variable["expression"], **activation)
        activation["variables"] = {**activation["variables"], variable["name"]: value}
    failed = []
    for validation in spec["validations"]:
        passed = evaluate(POLICY_ENV, validation["expression"], **activation)
        assert isinstance(passed, bool), validation["expression"]  # an error, not a verdict
        if not passed:
            message = validation.get("message", "")
            if "messageExpression" in validation:
                message = evaluate(POLICY_ENV, validation["messageExpression"], **activation)
                assert isinstance(message, str) and message.strip() and "\n" not in message
            failed.append(message)
    return failed


def namespace(host: str = HOST, name: str = NAMESPACE) -> dict:
    """A tenant's namespace as its stack writes it (components/tenant_namespace.py, tenant/__main__.py)."""
    annotations = {"owner": "shop@example.com", **host_annotation(host)}
    return {"metadata": {"name": name, "labels": {"team": "shop"}, "annotations": annotations}}


def tenant_ingress(host: str = HOST, shared: bool = True, tls: bool = True, order: int = 10) -> dict:
    """An Ingress as the tenant program renders it (components/ingress.py)."""
    annotations = ingresses.alb_annotations(WORKLOAD, CERTIFICATE if tls else None, SHARED_ALB_GROUP if shared else None, order)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "shop", "namespace": NAMESPACE, "annotations": annotations},
        "spec": ingresses.spec(INGRESS_CLASS, "shop", host),
    }


def annotated(ingress: dict, **extra: str) -> dict:
    changed = copy.deepcopy(ingress)
    changed["metadata"]["annotations"].update(extra)
    return changed


# --- what the platform installs ---------------------------------------------------------------


def test_a_platform_serving_tenants_installs_a_policy_that_denies_a_detached_web_acl_and_a_foreign_host(stack):
    policies, bindings = stack.of_type(POLICY), stack.of_type(BINDING)
    if setting(stack, "servesTenants") != "true":
        assert policies == bindings == []
        return
    assert len(policies) == len(bindings) == 1, "a platform serving tenants installs one policy and its binding"
    (policy,), (binding,) = policies, bindings
    assert binding.inputs["spec"] == {"policyName": policy.inputs["metadata"]["name"], "validationActions": ["Deny"]}
    installed = policy.inputs["spec"]
    detached = annotated(tenant_ingress(), **{f"{facts.PREFIX}wafv2-acl-name": "none"})
    assert len(refusals(detached, namespace(), spec=installed)) == 1
    assert len(refusals(tenant_ingress(host=OTHER_HOST), namespace(), spec=installed)) == 1
    assert installed == policy_spec()  # what the tests below evaluate
    # Cluster-scoped kinds: no namespace a team could hold, and the offline tools know them so.
    assert "namespace" not in policy.inputs["metadata"] and "namespace" not in binding.inputs["metadata"]
    assert [entry.token for entry in registry.RESOURCE_TYPES if entry.token in (POLICY, BINDING)] == [POLICY, BINDING]
    assert cluster_scoped(POLICY) and cluster_scoped(BINDING)
    for manifest in (policy.inputs, binding.inputs):
        for version in settings.SUPPORTED_KUBERNETES_VERSIONS:
            kubernetes_schemas.validate(manifest, f"{version}.0")


# --- what it admits -----------------------------------------------------------------------------


@pytest.mark.parametrize("shared", [True, False], ids=["shared-alb", "own-alb"])
@pytest.mark.parametrize("tls", [True, False], ids=["tls", "http"])
@pytest.mark.parametrize("order", GROUP_ORDER_RANGE)
def test_an_ingress_as_the_tenant_program_renders_it_is_admitted(shared, tls, order):
    assert refusals(tenant_ingress(shared=shared, tls=tls, order=order), namespace()) == []


def test_a_tenant_without_a_host_has_an_alb_of_its_own_with_rules_for_no_host():
    assert refusals(tenant_ingress(host="", shared=False, tls=False), namespace(host="")) == []


@pytest.mark.parametrize("suffix", facts.PER_BACKEND + facts.PER_RULE)
def test_the_annotations_of_an_ingresss_own_rules_and_target_groups_are_the_teams(suffix):
    assert refusals(annotated(tenant_ingress(), **{facts.PREFIX + suffix: "x"}), namespace()) == []


# --- what it refuses ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["none", "another-acl"])
def test_no_tenant_detaches_or_swaps_the_web_acl_by_name(value):
    """The name comes before the ARN the class pins, for every member of the group."""
    (message,) = refusals(annotated(tenant_ingress(), **{f"{facts.PREFIX}wafv2-acl-name": value}), namespace())
    assert f"{facts.PREFIX}wafv2-acl-name" in message


SHARED_ALB_ANNOTATIONS = sorted(
    {facts.PREFIX + suffix for suffix in facts.LOAD_BALANCER + facts.CONTROLLER_WRITES} - set(ALLOWED)
    | {f"{facts.PREFIX}{family}shop" for family in facts.FAMILIES}
)


@pytest.mark.parametrize("key", SHARED_ALB_ANNOTATIONS)
def test_every_other_annotation_of_the_controller_is_refused_by_name(key):
    (message,) = refusals(annotated(tenant_ingress(), **{key: "x"}), namespace())
    assert key in message


def test_the_refused_annotations_include_every_web_acl_one_and_each_the_class_sets():
    refused = set(SHARED_ALB_ANNOTATIONS)
    assert {facts.PREFIX + suffix for suffix in facts.WEB_ACL} <= refused
    # What the IngressClassParams hold (components/alb_controller.py): TLS policy, access logs, web ACL.
    assert {f"{facts.PREFIX}{suffix}" for suffix in ("ssl-policy", "load-balancer-attributes", "wafv2-acl-arn")} <= refused
    assert f"{facts.PREFIX}conditions.shop" in refused  # its host-header values would match other hosts


OTHER_VALUES = {
    f"{facts.PREFIX}scheme": "internal",
    ingresses.LISTEN_PORTS_ANNOTATION: '[{"HTTP": 8080}]',
    ingresses.SSL_REDIRECT_ANNOTATION: "8443",
    ingresses.GROUP_NAME_ANNOTATION: "platform",
}


@pytest.mark.parametrize("key", sorted(PINNED))
def test_the_alb_settings_a_tenant_sets_take_only_the_value_its_program_sets(key):
    assert OTHER_VALUES[key] != PINNED[key]
    (message,) = refusals(annotated(tenant_ingress(), **{key: OTHER_VALUES[key]}), namespace())
    assert key in message


@pytest.mark.parametrize("order", [str(GROUP_ORDER_RANGE[0] - 1), str(GROUP_ORDER_RANGE[1] + 1), "ten", "1e3", "", "5 "])
def test_a_group_order_the_controller_would_stop_the_group_over_is_refused(order):
    (message,) = refusals(annotated(tenant_ingress(), **{ingresses.GROUP_ORDER_ANNOTATION: order}), namespace())
    assert ingresses.GROUP_ORDER_ANNOTATION in message


def test_no_rule_takes_another_tenants_host():
    (message,) = refusals(tenant_ingress(host=OTHER_HOST), namespace())
    assert HOST in message and TENANT_HOST_ANNOTATION in message


def test_no_extra_rule_or_wildcard_reaches_past_the_tenants_host():
    for extra in (OTHER_HOST, "*.apps.example.com"):
        ingress = tenant_ingress()
        ingress["spec"]["rules"].append({**ingress["spec"]["rules"][0], "host": extra})
        assert len(refusals(ingress, namespace())) == 1, extra


def test_on_the_shared_alb_a_rule_without_a_host_is_refused_as_it_answers_every_host():
    assert len(refusals(tenant_ingress(host=""), namespace())) == 1  # the namespace has a host: rules name it
    assert len(refusals(tenant_ingress(host=""), namespace(host=""))) == 1  # none: not on the shared ALB


def test_tls_entries_name_the_tenants_host_only():
    ingress = tenant_ingress()
    ingress["spec"]["tls"] = [{"hosts": [HOST]}]
    assert refusals(ingress, namespace()) == []
    ingress["spec"]["tls"] = [{"hosts": [HOST, OTHER_HOST]}]
    assert len(refusals(ingress, namespace())) == 1


def test_a_default_backend_is_refused_on_the_shared_alb_only():
    backend = {"service": {"name": "shop", "port": {"name": "http"}}}
    shared, own = tenant_ingress(), tenant_ingress(shared=False)
    shared["spec"]["defaultBackend"] = own["spec"]["defaultBackend"] = backend
    assert len(refusals(shared, namespace())) == 1
    assert refusals(own, namespace()) == []


def test_the_ingress_names_the_platforms_class_and_not_by_the_legacy_annotation():
    other_class = tenant_ingress()
    other_class["spec"]["ingressClassName"] = "alb-unrestricted"
    no_class = tenant_ingress()
    del no_class["spec"]["ingressClassName"]
    legacy = annotated(tenant_ingress(), **{facts.LEGACY_CLASS: INGRESS_CLASS})
    for ingress in (other_class, no_class, legacy):
        assert len(refusals(ingress, namespace())) == 1


def test_an_ingress_breaking_every_rule_gets_every_reason_at_once():
    ingress = annotated(tenant_ingress(host=OTHER_HOST), **{f"{facts.PREFIX}wafv2-acl-name": "none", facts.LEGACY_CLASS: "alb"})
    assert len(refusals(ingress, namespace())) == 3


# --- where it applies ---------------------------------------------------------------------------


HOSTILE = annotated(tenant_ingress(host=OTHER_HOST), **{f"{facts.PREFIX}wafv2-acl-name": "none"})


@pytest.mark.parametrize("outside", ["game-2048", "kube-system", "tenants", "my-tenant-shop"])
def test_namespaces_outside_the_tenant_rule_are_the_platforms_and_not_matched(outside):
    assert refusals(HOSTILE, namespace(name=outside)) is None
    assert refusals(HOSTILE, namespace(name=NAMESPACE)) is not None


def test_the_controllers_own_writes_are_not_matched_anyone_elses_are():
    """It adds finalizers and, under a feature gate, its plan (CONTROLLER_WRITES) to tenants' Ingresses."""
    plan = annotated(tenant_ingress(), **{facts.PREFIX + facts.CONTROLLER_WRITES[0]: "{}"})
    assert refusals(plan, namespace(), user=CONTROLLER_USER) is None
    assert refusals(plan, namespace(), user="system:serviceaccount:tenant-shop:default") != []
    assert refusals(plan, namespace(), user="kubernetes-admin") != []  # the tenant stack's deploy too


# --- the facts it stands on ---------------------------------------------------------------------


def test_each_controller_annotation_is_classified_once_and_the_program_renders_only_known_ones():
    groups = (facts.PER_BACKEND, facts.PER_RULE, facts.LOAD_BALANCER, facts.CONTROLLER_WRITES)
    suffixes = [suffix for group in groups for suffix in group]
    assert len(suffixes) == len(set(suffixes))
    assert set(facts.WEB_ACL) <= set(facts.LOAD_BALANCER)
    variants = (tenant_ingress(), tenant_ingress(shared=False, tls=False))
    rendered = {key for ingress in variants for key in ingress["metadata"]["annotations"]}
    assert rendered <= {facts.PREFIX + suffix for suffix in suffixes}
    assert set(ALLOWED) <= {facts.PREFIX + suffix for suffix in suffixes}
