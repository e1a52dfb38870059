"""The stack's outputs, read with `pulumi stack output --json --show-secrets` (or from a file).

The platform exports `ingressUrl`, a tenant `url` and `namespace`; both export `kubeconfig`,
`region` and `podLogGroupName` (a tenant's are its platform's), and `alarmNames`.
The kubeconfig and every other secret stay in memory: nothing here prints them.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eksfargate.contract import TENANT_NAMESPACE_PREFIX, ObservabilityOutput, PlatformOutput
from verify.cluster import Scope
from verify.results import ReadError

URL_OUTPUTS = ("ingressUrl", "url")
LOG_GROUP_OUTPUT = PlatformOutput.POD_LOG_GROUP
ALARMS_OUTPUT = ObservabilityOutput.ALARM_NAMES
NAMESPACE_OUTPUT = "namespace"
PULUMI_TIMEOUT = 120


@dataclass(frozen=True)
class StackOutputs:
    kubeconfig: dict[str, Any]
    region: str
    scope: Scope
    url: str | None
    log_group: str | None
    alarm_names: list[str] | None


def read_pulumi(stack: str, project_dir: Path) -> dict[str, Any]:
    command = ["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", stack]
    try:
        done = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, timeout=PULUMI_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReadError(f"`pulumi stack output` did not run: {type(error).__name__}: {error}") from None
    if done.returncode != 0:
        # Pulumi's own error, never an output value (those go to stdout, which is not shown).
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ReadError(f"`pulumi stack output --stack {stack}` failed (exit {done.returncode}): {last}")
    return _json(done.stdout, f"pulumi stack output --stack {stack}")


def read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as error:
        raise ReadError(f"cannot read {path}: {error.strerror}") from None
    return _json(text, str(path))


def _json(text: str, source: str) -> dict[str, Any]:
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        raise ReadError(f"{source} is not JSON") from None
    if not isinstance(values, dict):
        raise ReadError(f"{source} is not a JSON object of outputs")
    return values


def _kubeconfig(value: Any) -> dict[str, Any]:
    """pulumi-eks exports the kubeconfig as an object; a string holds it as JSON or YAML."""
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ReadError("the kubeconfig output is neither JSON nor YAML") from None
    if not isinstance(value, dict):
        raise ReadError("the stack has no kubeconfig output")
    return value


def parse(values: dict[str, Any], tenant: bool) -> StackOutputs:
    region = values.get(PlatformOutput.REGION)
    if not isinstance(region, str) or not region:
        raise ReadError(f"the stack has no {PlatformOutput.REGION} output")
    if tenant:
        namespace = values.get(NAMESPACE_OUTPUT)
        if not isinstance(namespace, str) or not namespace:
            raise ReadError(f"the tenant stack has no {NAMESPACE_OUTPUT} output")
        scope = Scope(namespace)
    else:
        scope = Scope(None, excluded_prefix=TENANT_NAMESPACE_PREFIX)
    alarms = values.get(ALARMS_OUTPUT)
    return StackOutputs(
        kubeconfig=_kubeconfig(values.get(PlatformOutput.KUBECONFIG)),
        region=region,
        scope=scope,
        url=next((str(values[key]) for key in URL_OUTPUTS if values.get(key)), None),
        log_group=values.get(LOG_GROUP_OUTPUT) or None,
        alarm_names=[str(name) for name in alarms] if isinstance(alarms, list) else None,
    )
