"""A destroy deletes the load balancer controller before what it needs to reach AWS, in every stack.

The controller deletes an Ingress's ALB and security groups while the Ingress's finalizer holds it;
it needs the ELB, EC2 and STS APIs for that, through the NAT gateway and the private routes
(no VPC endpoints). The order is computed from each recorded stack's planned dependencies.
"""

from eksfargate.facts import resource_types as types
from offline.destroy_order import destroy_waves
from offline.plan import from_recording

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
EGRESS = (types.NAT_GATEWAY, types.ROUTE_TABLE, types.ROUTE_TABLE_ASSOCIATION, types.INTERNET_GATEWAY, types.ELASTIC_IP)


def test_the_controller_is_deleted_after_every_ingress_and_before_its_way_out(stack):
    resources = from_recording(stack)["resources"]
    waves = destroy_waves(resources)
    (release,) = [r["urn"] for r in resources if r["type"] == HELM_RELEASE and r["name"] == "alb-controller-release"]
    ingresses = [r["urn"] for r in resources if r["type"] == INGRESS]
    egress = [r["urn"] for r in resources if r["type"] in EGRESS]
    # A platform that serves tenants only has none: the tenants' are in their own stacks.
    assert all(waves[ingress] < waves[release] for ingress in ingresses)
    # An existing VPC's routes are not the stack's: nothing of them is deleted.
    assert all(waves[release] < waves[urn] for urn in egress), sorted(
        (waves[urn], urn.rsplit("::", 1)[-1]) for urn in egress if waves[urn] <= waves[release]
    )


def test_a_resource_goes_only_after_everything_that_needs_it():
    resources = [
        {"urn": "vpc", "dependencies": []},
        {"urn": "nat", "dependencies": ["vpc"]},
        {"urn": "release", "dependencies": ["nat"], "provider": "k8s"},
        {"urn": "k8s", "dependencies": []},
        {"urn": "ingress", "dependencies": ["release"], "provider": "k8s"},
        {"urn": "child", "parent": "component"},
        {"urn": "component"},
    ]
    waves = destroy_waves(resources)
    assert waves["ingress"] == 0 and waves["child"] == 0
    assert waves["release"] == 1 and waves["component"] == 1
    assert waves["nat"] == 2 and waves["k8s"] == 2
    assert waves["vpc"] == 3
