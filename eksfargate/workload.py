"""One workload shape for the platform's app and every tenant's: what runs, and how it is checked.

A `WorkloadSpec` says what a team brings (image, port, command and args, environment, CPU and
memory, probe path, replicas or an autoscaler range, writable paths, a service account for
IRSA); components/workload.py renders it as a hardened pod (non-root, read-only root
filesystem, no capabilities, RuntimeDefault seccomp, no Kubernetes API token (IRSA's is projected by EKS),
readiness and liveness probes, a preStop sleep matched to the ALB's deregistration delay), with
a disruption budget. `problems()` lists what a spec gets wrong, by field; the workload reader
both projects' settings share (eksfargate/workload_settings.py) turns each into a SettingsError
naming its config key, before any resource is declared.

The walkthrough's nginx images (the 2048 game, the tenants' `hello`) are instances: `nginx_preset`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eksfargate.facts.fargate_sizes import GIB_IN_MIB, MIB, RESERVED_MEMORY_MIB, SUPPORTED_SIZES, quantity
from eksfargate.secrets import AwsSecrets

# A non-root process with every capability dropped cannot bind a port below 1024
# (net.ipv4.ip_unprivileged_port_start defaults to 1024 and the pod does not lower it).
PORT_RANGE = (1024, 65535)
# What an app's pods may open on the internet: any TCP port (ports below 1024 are servers' to listen on).
EGRESS_PORT_RANGE = (1, 65535)
# A port setting's range: 0 means the nginx preset's own port (NGINX_PORT).
PORT_SETTING_RANGE = (0, PORT_RANGE[1])
# An HPA's minReplicas must be at least 1 (0 needs the alpha HPAScaleToZero feature gate, which EKS
# does not turn on): with autoscaling on, the replicas setting is that minimum.
HPA_MIN_REPLICAS = 1
# The container's user and group when the spec names none: a high id no host or image account uses.
RUN_AS_ID = 10101
# Kubernetes mounts these read-only when a service account token is projected (the API token; IRSA's web identity token).
TOKEN_PATHS = ("/var/run/secrets/kubernetes.io/serviceaccount", "/var/run/secrets/eks.amazonaws.com/serviceaccount")
MAX_WRITABLE_PATHS = 8

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


@dataclass(frozen=True)
class Autoscaling:
    """A HorizontalPodAutoscaler: between min and max replicas, at a CPU target."""

    min_replicas: int
    max_replicas: int
    cpu_target_percent: int


@dataclass(frozen=True)
class SecretEnv:
    """An environment variable read from a key of a Kubernetes Secret in the workload's namespace."""

    name: str
    secret: str
    key: str


@dataclass(frozen=True)
class ConfigFile:
    """A file of the workload's ConfigMap, mounted read-only at `path` (volume `volume`)."""

    volume: str
    path: str
    content: str

    @property
    def key(self) -> str:
        return posixpath.basename(self.path)


@dataclass(frozen=True)
class WorkloadSpec:
    """What runs: one container per pod, sized for Fargate (requests equal limits)."""

    name: str
    image: str
    port: int
    probe_path: str
    replicas: int
    cpu: str = "250m"
    memory: str = "256Mi"
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    secret_env: tuple[SecretEnv, ...] = ()
    writable_paths: tuple[str, ...] = ("/tmp",)
    config_files: tuple[ConfigFile, ...] = ()
    autoscaling: Autoscaling | None = None
    # A service account of the namespace with an IAM role (IRSA); empty: the pods get no token at all.
    service_account: str = ""
    run_as: int = RUN_AS_ID
    # Pods a rolling update may add above the replicas; None: Kubernetes' default (25%, rounded up).
    surge: int | None = None
    probe_port: int | None = None
    # TCP ports its pods open on the internet (through the NAT gateway): all else is closed.
    egress_ports: tuple[int, ...] = (443,)
    # Secrets from AWS by name (eksfargate/secrets.py): variables, and files under read-only mounts.
    aws_secrets: AwsSecrets = AwsSecrets()

    @property
    def secret_mounts(self) -> tuple[str, ...]:
        """The directories the AWS secrets' files are mounted read-only in, one volume each."""
        return tuple(sorted({s.mount_directory for s in self.aws_secrets.items if s.is_file}))

    @property
    def max_replicas(self) -> int:
        """The most pods it runs outside a rollout: the autoscaler's maximum, else the replicas."""
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas

    @property
    def read_only_paths(self) -> tuple[str, ...]:
        """Paths mounted read-only into the container: its configuration files and the token mounts."""
        return tuple(f.path for f in self.config_files) + self.secret_mounts + TOKEN_PATHS


@dataclass(frozen=True)
class Problem:
    """A spec field with a value the workload cannot run with."""

    field: str  # the WorkloadSpec field: "port", "probe_path", "cpu", ...
    value: Any
    allowed: str


def problems(spec: WorkloadSpec) -> list[Problem]:
    """Everything wrong with a spec, field by field, in the order of the fields."""
    found: list[Problem] = []
    if not spec.image or any(c.isspace() for c in spec.image):
        found.append(Problem("image", spec.image, "a container image reference"))
    for name, port in (("port", spec.port), ("probe_port", spec.probe_port)):
        low, high = PORT_RANGE
        if port is not None and not low <= port <= high:
            found.append(
                Problem(
                    name,
                    port,
                    f"a port from {low} to {high}: the container runs as a non-root user with every capability "
                    "dropped, which cannot bind a port below 1024",
                )
            )
    if not spec.probe_path.startswith("/") or any(c.isspace() for c in spec.probe_path):
        found.append(Problem("probe_path", spec.probe_path, "an HTTP path starting with '/', e.g. /healthz"))
    found += _size_problems(spec.cpu, spec.memory)
    for name, value in spec.env:
        if not _ENV_NAME.match(name):
            found.append(Problem("env", f"{name}={value}", "NAME=value, NAME a C identifier (letters, digits, '_')"))
    for secret in spec.secret_env:
        if not (_ENV_NAME.match(secret.name) and _DNS_SUBDOMAIN.match(secret.secret) and _SECRET_KEY.match(secret.key)):
            found.append(
                Problem(
                    "secret_env",
                    f"{secret.name}={secret.secret}/{secret.key}",
                    "NAME=secret/key: NAME a C identifier, secret the name of a Secret in the namespace, key one of its keys",
                )
            )
    names = [n for n, _ in spec.env] + [s.name for s in spec.secret_env]
    for mount in spec.secret_mounts:
        for other in (f.path for f in spec.config_files):
            if _overlaps(mount, other):
                found.append(
                    Problem(
                        "aws_secrets",
                        mount,
                        f"files in a directory apart from the read-only {other} (one mount would hide the other)",
                    )
                )
        for token in TOKEN_PATHS:
            if _overlaps(mount, token):
                found.append(Problem("aws_secrets", mount, f"files in a directory apart from {token}, the token's mount"))
    if len(set(names)) != len(names):
        found.append(Problem("env", sorted(names), "each variable once, as a value or as a Secret reference"))
    found += _writable_problems(spec)
    return found


def fargate_size_rule(cpu: Decimal) -> str:
    memories = next((m for v, m in SUPPORTED_SIZES if v == cpu), None)
    if memories is None:
        cpus = ", ".join(_cpu(v) for v, _ in SUPPORTED_SIZES)
        return f"a Fargate vCPU size: one of {cpus}"
    allowed = ", ".join(f"{m - RESERVED_MEMORY_MIB}Mi" for m in memories[:6]) + (", ..." if len(memories) > 6 else "")
    return (
        f"with cpu {_cpu(cpu)}, memory that is a Fargate size less the {RESERVED_MEMORY_MIB}Mi Fargate adds: "
        f"{allowed} (up to {memories[-1] - RESERVED_MEMORY_MIB}Mi)"
    )


def _size_problems(cpu_text: str, memory_text: str) -> list[Problem]:
    """Requests equal limits, exactly a Fargate size once Fargate adds its 256 MiB: nothing billed goes unused."""
    cpu, memory = quantity(cpu_text), quantity(memory_text)
    if cpu is None or cpu not in {v for v, _ in SUPPORTED_SIZES}:
        return [Problem("cpu", cpu_text, fargate_size_rule(Decimal(-1)))]
    memories = next(m for v, m in SUPPORTED_SIZES if v == cpu)
    if memory is None or memory % MIB or int(memory / MIB) + RESERVED_MEMORY_MIB not in memories:
        return [Problem("memory", memory_text, fargate_size_rule(cpu))]
    return []


def _writable_problems(spec: WorkloadSpec) -> list[Problem]:
    found = []
    paths = spec.writable_paths
    if len(paths) > MAX_WRITABLE_PATHS or len(set(paths)) != len(paths):
        found.append(Problem("writable_paths", list(paths), f"at most {MAX_WRITABLE_PATHS} distinct paths"))
    for path in paths:
        if not path.startswith("/") or posixpath.normpath(path) != path or path == "/" or any(c.isspace() for c in path):
            found.append(Problem("writable_paths", path, "absolute, normalized paths other than '/', e.g. /tmp"))
            continue
        for other in paths[paths.index(path) + 1 :]:
            if _overlaps(path, other):
                found.append(Problem("writable_paths", path, f"paths that do not nest: {path} and {other} overlap"))
        for mount in spec.read_only_paths:
            if _overlaps(path, mount):
                found.append(
                    Problem(
                        "writable_paths",
                        path,
                        f"a path that does not overlap a read-only mount: {mount} is mounted read-only "
                        "(an emptyDir over or under it would hide it or be hidden)",
                    )
                )
                break
    return found


def _overlaps(a: str, b: str) -> bool:
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")


def _cpu(value: Decimal) -> str:
    """Cores as Kubernetes writes them: whole cores (2), else millicores (250m, 2250m)."""
    return str(int(value)) if value == int(value) else f"{int(value * 1000)}m"


def parse_env(items: tuple[str, ...]) -> tuple[tuple[str, str], ...] | str:
    """NAME=value items; the first item that is not one, as text."""
    env = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            return item
        env.append((name, value))
    return tuple(env)


def parse_secret_env(items: tuple[str, ...]) -> tuple[SecretEnv, ...] | str:
    """NAME=secret/key items; the first item that is not one, as text."""
    env = []
    for item in items:
        name, sep, ref = item.partition("=")
        secret, slash, key = ref.partition("/")
        if not (sep and slash and name and secret and key):
            return item
        env.append(SecretEnv(name, secret, key))
    return tuple(env)


def quantity_text(value: Decimal, unit: str) -> str:
    """A CPU (cores) or memory (bytes) amount as a quota writes it: 750m, 2, 768Mi, 2Gi."""
    if unit == "cpu":
        return _cpu(value)
    mib = value / MIB
    return (
        f"{mib / GIB_IN_MIB:f}".rstrip("0").rstrip(".") + "Gi"
        if mib % GIB_IN_MIB == 0
        else f"{mib:f}".rstrip("0").rstrip(".") + "Mi"
    )


# --- the walkthrough's nginx images ------------------------------------------------------------

# The images' own nginx configuration runs the master as root (port 80, workers switched to
# another user, pid and temp files under /run and /var/lib/nginx). This one, mounted over it,
# needs no privilege: an unprivileged port, pid and temp files in /tmp (an emptyDir, the root
# filesystem is read-only), and the same document root (both images serve /usr/share/nginx/html).
#
# Logs go to the container's output without nginx opening it: the error log is nginx's own
# stderr descriptor (`error_log stderr`), and the access log is a FIFO in /tmp that a `cat`
# started by the container's command copies to its inherited stdout. Opening /dev/stdout or
# /dev/stderr instead re-opens the pipe behind the descriptor, which fails with EACCES when the
# runtime hands the container a pipe owned by another user (runc chowns PID 1's stdio to the
# container's user, fixStdioPermissions; a runtime that does not leaves it root's), and nginx
# exits. Checked with Debian's nginx as UID 10101 and stdout a root-owned pipe
# (tests/components/test_nginx_runs.py).
NGINX_PORT = 8080
# The walkthrough's images, both nginx serving /usr/share/nginx/html: the 2048 game, and nginx's own page.
GAME_2048_IMAGE = "public.ecr.aws/l6m2t8p7/docker-2048:latest"
NGINX_IMAGE = "public.ecr.aws/nginx/nginx:1.27-alpine"
NGINX_CONF_PATH = "/etc/nginx/nginx.conf"
NGINX_ACCESS_LOG = "/tmp/access.log"
NGINX_CONF = f"""worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {NGINX_ACCESS_LOG};
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    server {{
        listen {NGINX_PORT};
        root /usr/share/nginx/html;
        index index.html;
    }}
}}
"""
# The FIFO is made afresh (an emptyDir outlives a container restart); nginx replaces the shell
# (exec), so it is PID 1 and gets the kubelet's signals; the cat ends when nginx closes the FIFO.
NGINX_START = (
    f"rm -f {NGINX_ACCESS_LOG} && mkfifo -m 600 {NGINX_ACCESS_LOG} && {{ cat {NGINX_ACCESS_LOG} & }} "
    "&& exec nginx -g 'daemon off;'"
)
NGINX_COMMAND = ("/bin/sh", "-c", NGINX_START)


def nginx_preset(
    name: str,
    image: str,
    replicas: int,
    cpu: str = "250m",
    memory: str = "256Mi",
    autoscaling: Autoscaling | None = None,
    service_account: str = "",
    surge: int | None = None,
    env: tuple[tuple[str, str], ...] = (),
    secret_env: tuple[SecretEnv, ...] = (),
    writable_paths: tuple[str, ...] = ("/tmp",),
    egress_ports: tuple[int, ...] = (443,),
) -> WorkloadSpec:
    """An nginx image that serves /usr/share/nginx/html (the 2048 game, nginx's own) on the hardened configuration."""
    return WorkloadSpec(
        name=name,
        image=image,
        port=NGINX_PORT,
        probe_path="/",
        replicas=replicas,
        cpu=cpu,
        memory=memory,
        command=NGINX_COMMAND,
        env=env,
        secret_env=secret_env,
        writable_paths=writable_paths,
        egress_ports=egress_ports,
        config_files=(ConfigFile("nginx-conf", NGINX_CONF_PATH, NGINX_CONF),),
        autoscaling=autoscaling,
        service_account=service_account,
        surge=surge,
    )


def image_repository(image: str) -> str:
    """An image reference without its tag or digest."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0]
