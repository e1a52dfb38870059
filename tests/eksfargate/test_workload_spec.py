"""One workload shape (eksfargate/workload.py): what a spec may say, and the platform's app built from it.

The issue's first bug: `appImage` took any image while port, probe and nginx configuration stayed
the game's, so a service on port 3000 never became ready. Now another image needs its port and
probe path (a settings error says which is missing), and gets them.
"""

import dataclasses

import pytest

from eksfargate.settings import SettingsError
from eksfargate.workload import TOKEN_PATHS, WorkloadSpec, image_repository, nginx_preset, problems
from offline.harness import record
from tests.components.test_game_2048 import hardening_gaps

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
API = {"appImage": "ghcr.io/example/orders-api:1.4.2", "appPort": 3000, "appProbePath": "/healthz"}


def spec(**changes) -> WorkloadSpec:
    base = WorkloadSpec(name="api", image="ghcr.io/example/api:1.0", port=3000, probe_path="/healthz", replicas=2)
    return dataclasses.replace(base, **changes)


def test_a_sound_spec_and_the_walkthrough_preset_have_no_problem():
    assert problems(spec()) == []
    assert problems(nginx_preset("app-2048", "public.ecr.aws/l6m2t8p7/docker-2048:latest", 5)) == []


@pytest.mark.parametrize(
    "changes,field,allowed",
    [
        ({"port": 80}, "port", "from 1024 to 65535"),
        ({"port": 70000}, "port", "from 1024 to 65535"),
        ({"probe_path": "healthz"}, "probe_path", "starting with '/'"),
        ({"cpu": "300m"}, "cpu", "a Fargate vCPU size"),
        ({"memory": "512Mi"}, "memory", "256Mi, 768Mi, 1792Mi"),
        ({"cpu": "1", "memory": "1Gi"}, "memory", "with cpu 1"),
        ({"writable_paths": ("tmp",)}, "writable_paths", "absolute"),
        ({"writable_paths": ("/tmp", "/tmp/cache")}, "writable_paths", "do not nest"),
        ({"writable_paths": ("/var/run/secrets",)}, "writable_paths", f"{TOKEN_PATHS[0]} is mounted read-only"),
        ({"env": (("1BAD", "x"),)}, "env", "C identifier"),
        ({"env": (("A", "1"), ("A", "2"))}, "env", "each variable once"),
    ],
)
def test_a_spec_problem_names_its_field_and_what_is_allowed(changes, field, allowed):
    (problem,) = problems(spec(**changes))
    assert problem.field == field and allowed in problem.allowed


def test_a_writable_path_over_the_nginx_configuration_is_refused():
    preset = nginx_preset("app-2048", "img:1", 1, writable_paths=("/tmp", "/etc/nginx"))
    (problem,) = problems(preset)
    assert problem.value == "/etc/nginx" and "/etc/nginx/nginx.conf is mounted read-only" in problem.allowed


def test_the_image_repository_ignores_tag_and_digest():
    for image in (
        "public.ecr.aws/l6m2t8p7/docker-2048",
        "public.ecr.aws/l6m2t8p7/docker-2048:v2",
        "public.ecr.aws/l6m2t8p7/docker-2048@sha256:ab",
    ):
        assert image_repository(image) == "public.ecr.aws/l6m2t8p7/docker-2048"
    assert image_repository("localhost:5000/app:1") == "localhost:5000/app"


# --- the platform's app ----------------------------------------------------------------------------


BAD_APP_SETTINGS = [
    # Another image without its port and probe: the 3000-port service that never became ready.
    ({"appImage": "ghcr.io/example/orders-api:1.4.2"}, "appPort", "appPort and appProbePath must be set"),
    ({"appImage": "ghcr.io/example/orders-api:1.4.2", "appPort": 3000}, "appProbePath", "appProbePath must be set"),
    ({**API, "appPort": 80}, "appPort", "from 1024 to 65535"),
    ({**API, "appProbePath": "healthz"}, "appProbePath", "starting with '/'"),
    ({**API, "appCpu": "300m"}, "appCpu", "a Fargate vCPU size"),
    ({**API, "appMemory": "300Mi"}, "appMemory", "a Fargate size"),
    ({**API, "appWritablePaths": ["/tmp", "/var/run/secrets/kubernetes.io"]}, "appWritablePaths", "mounted read-only"),
    ({**API, "appEnv": ["LOG_LEVEL"]}, "appEnv", "NAME=value"),
    ({**API, "appSecretEnv": ["DB_PASSWORD=db"]}, "appSecretEnv", "NAME=secret/key"),
    # The walkthrough's image runs on its own configuration: its port is not to be changed.
    ({"appPort": 3000}, "appPort", "left unset for the walkthrough's image"),
    ({"appWritablePaths": ["/var/cache"]}, "appWritablePaths", "holds /tmp"),
    ({"appWritablePaths": ["/tmp", "/etc/nginx"]}, "appWritablePaths", "/etc/nginx/nginx.conf is mounted read-only"),
]


@pytest.mark.parametrize("overrides,key,allowed", BAD_APP_SETTINGS, ids=lambda v: str(v)[:50])
def test_a_bad_app_spec_fails_before_any_resource(overrides, key, allowed):
    recording = record("dev", overrides=overrides)
    assert isinstance(recording.error, SettingsError), recording.error
    assert recording.error.key == f"eks-fargate:{key}" and allowed in recording.error.allowed
    assert recording.resources == []


def test_a_service_on_port_3000_gets_its_port_probes_and_no_nginx_configuration():
    recording = record("dev", overrides={**API, "appEnv": ["LOG_LEVEL=info"], "appSecretEnv": ["DB_PASSWORD=orders-db/password"]})
    assert recording.error is None
    pod = recording.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == API["appImage"] and "command" not in container
    assert container["ports"] == [{"name": "http", "containerPort": 3000}]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["env"] == [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "orders-db", "key": "password"}}},
    ]
    assert recording.of_type(CONFIG_MAP) == [] or all("nginx" not in c.name for c in recording.of_type(CONFIG_MAP))
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/tmp"]
    assert hardening_gaps(pod) == []


def test_a_mirror_of_the_walkthrough_image_runs_on_its_configuration():
    recording = record(
        "dev", overrides={"appImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/2048:1", "appWalkthroughImage": True}
    )
    assert recording.error is None
    (container,) = recording.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == 8080
    assert any(m["mountPath"] == "/etc/nginx/nginx.conf" for m in container["volumeMounts"])
