"""The workload section both projects' settings share: what runs, how many, and how it meets the internet.

The same keys in the platform project and the tenant project (appImage, appPort, appProbePath,
appCommand, appArgs, appEnv, appSecretEnv, appCpu, appMemory, appWritablePaths, appReplicas,
appMaxReplicas) become one `WorkloadSpec` (eksfargate/workload.py), and the edge keys an `Edge`
(eksfargate/edge.py): each problem a SettingsError naming the key that sets it. What the projects
say besides is a `WorkloadSection`: the workload's name, whether it runs a walkthrough image on the
hardened nginx configuration (`Preset`), what turns its autoscaler on, and its service account
and rollout surge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from eksfargate import edge as edges
from eksfargate.config_reader import Reader, SettingsError
from eksfargate.edge import Edge
from eksfargate.secrets_settings import read_aws_secrets
from eksfargate.workload import (
    HPA_MIN_REPLICAS,
    Autoscaling,
    SecretEnv,
    WorkloadSpec,
    nginx_preset,
    parse_env,
    parse_secret_env,
    problems,
)

# Spec fields -> the keys that set them, in both projects (errors name the key).
APP_KEYS = {
    "image": "appImage",
    "port": "appPort",
    "probe_port": "appPort",
    "probe_path": "appProbePath",
    "cpu": "appCpu",
    "memory": "appMemory",
    "env": "appEnv",
    "secret_env": "appSecretEnv",
    "writable_paths": "appWritablePaths",
    "egress_ports": "appEgressPorts",
    "aws_secrets": "appAwsSecrets",
}


@dataclass(frozen=True)
class Preset:
    """The workload runs a walkthrough image on the hardened nginx configuration (eksfargate/workload.py)."""

    image: str
    keep_unset: str  # why appPort, appProbePath, appCommand and appArgs stay unset
    needs_tmp: str  # why appWritablePaths holds /tmp


@dataclass(frozen=True)
class WorkloadSection:
    """What a project says about its workload beside the shared keys."""

    name: str
    preset: Preset | None
    # The error when a workload of one's own leaves keys unset that it needs (appImage, appPort, appProbePath).
    own_needs: Callable[[list[str]], str]
    # The boolean key that turns the autoscaler on (the platform's appAutoscaling); None: a non-zero
    # appMaxReplicas does (a tenant's).
    autoscaling_key: str | None
    # The autoscaler's CPU target; None: appCpuTargetPercent says it.
    cpu_target: int | None
    service_account: str = ""
    surge: int | None = None
    # Whose secrets and parameters it may read (their names' prefix), and the stack's region (eksfargate/secrets.py).
    team: str = ""
    region: str = ""


def read_replicas(config: Reader, autoscaling_key: str | None, cpu_target: int | None) -> tuple[int, Autoscaling | None]:
    """appReplicas, and the autoscaler if it is on (see WorkloadSection): then appReplicas is its minimum, from
    HPA_MIN_REPLICAS to appMaxReplicas."""
    replicas = config.integer("appReplicas")
    if autoscaling_key is not None:
        if not config.boolean(autoscaling_key):
            return replicas, None
        max_replicas, switch = config.integer("appMaxReplicas"), f"{autoscaling_key} on"
    else:
        max_replicas, switch = config.integer("appMaxReplicas"), "appMaxReplicas set"
        if not max_replicas:
            return replicas, None
    if not HPA_MIN_REPLICAS <= replicas <= max_replicas:
        raise SettingsError(
            config.key("appReplicas"),
            replicas,
            f"with {switch}, appReplicas is the autoscaler's minimum: from {HPA_MIN_REPLICAS} to appMaxReplicas ({max_replicas})",
        )
    target = config.integer("appCpuTargetPercent") if cpu_target is None else cpu_target
    return replicas, Autoscaling(min_replicas=replicas, max_replicas=max_replicas, cpu_target_percent=target)


def read_workload(config: Reader, section: WorkloadSection) -> WorkloadSpec:
    """The workload's spec from the shared keys; its first problem as a SettingsError naming the key."""
    replicas, autoscaling = read_replicas(config, section.autoscaling_key, section.cpu_target)
    image, port, probe_path = config.string("appImage"), config.integer("appPort"), config.string("appProbePath")
    env, secret_env = app_env(config, "appEnv", "appSecretEnv")
    cpu, memory, writable = config.string("appCpu"), config.string("appMemory"), config.strings("appWritablePaths")
    egress = config.integers("appEgressPorts")
    preset = section.preset
    if preset is not None:
        nginx_preset_keys_unset(config, port, probe_path, preset.keep_unset)
        config.check("appWritablePaths", list(writable), lambda v: "/tmp" in v, preset.needs_tmp)
        spec = nginx_preset(
            section.name,
            preset.image,
            replicas,
            cpu,
            memory,
            autoscaling,
            service_account=section.service_account,
            surge=section.surge,
            env=env,
            secret_env=secret_env,
            writable_paths=writable,
            egress_ports=egress,
        )
    else:
        given = {"appImage": image, "appPort": port, "appProbePath": probe_path}
        missing = [key for key, value in given.items() if not value]
        if missing:
            raise SettingsError(config.key(missing[0]), given[missing[0]], section.own_needs(missing))
        spec = WorkloadSpec(
            name=section.name,
            image=image,
            port=port,
            probe_path=probe_path,
            replicas=replicas,
            cpu=cpu,
            memory=memory,
            command=config.strings("appCommand"),
            args=config.strings("appArgs"),
            env=env,
            secret_env=secret_env,
            writable_paths=writable,
            egress_ports=egress,
            autoscaling=autoscaling,
            service_account=section.service_account,
            surge=section.surge,
        )
    variables = tuple(n for n, _ in spec.env) + tuple(s.name for s in spec.secret_env)
    spec = replace(spec, aws_secrets=read_aws_secrets(config, section.team, section.region, variables))
    check_workload(config, spec, APP_KEYS)
    return spec


def nginx_preset_keys_unset(config: Reader, port: int, probe_path: str, why: str) -> None:
    """A workload on the hardened nginx preset takes its port, probe, command and args from the preset:
    setting any of them is an error that says `why`."""
    for key, value, unset in (
        ("appPort", port, port == 0),
        ("appProbePath", probe_path, not probe_path),
        ("appCommand", list(config.strings("appCommand")), not config.strings("appCommand")),
        ("appArgs", list(config.strings("appArgs")), not config.strings("appArgs")),
    ):
        if not unset:
            raise SettingsError(config.key(key), value, why)


def app_env(config: Reader, env_key: str, secret_key: str) -> tuple[tuple[tuple[str, str], ...], tuple[SecretEnv, ...]]:
    """NAME=value and NAME=secret/key lists, parsed; a malformed item fails naming its key."""
    env = parse_env(config.strings(env_key))
    if isinstance(env, str):
        raise SettingsError(config.key(env_key), env, "items NAME=value, e.g. LOG_LEVEL=info")
    secret_env = parse_secret_env(config.strings(secret_key))
    if isinstance(secret_env, str):
        raise SettingsError(
            config.key(secret_key),
            secret_env,
            "items NAME=secret/key: a key of a Secret in the namespace, e.g. DB_PASSWORD=db/password",
        )
    return env, secret_env


def check_workload(config: Reader, spec: WorkloadSpec, keys: dict[str, str]) -> None:
    """The spec's first problem, as a SettingsError naming the key that sets the field."""
    for problem in problems(spec):
        raise SettingsError(config.key(keys.get(problem.field, problem.field)), problem.value, problem.allowed)


def read_edge(config: Reader, keys: dict[str, str], region: str) -> Edge:
    """An app's edge from the keys `keys` names; its first problem as a SettingsError naming the key."""
    edge = Edge(
        host=config.string(keys["host"]),
        certificate_arn=config.string(keys["certificate_arn"]),
        hosted_zone=config.string(keys["hosted_zone"]),
        dns_record=config.boolean(keys["dns_record"]),
    )
    for problem in edges.problems(edge, region):
        raise SettingsError(config.key(keys[problem.field]), problem.value, problem.allowed)
    return edge
