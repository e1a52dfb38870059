"""Runs the real Pulumi program offline, under the SDK's mocks, and records what it declares.

No engine, no cloud: `pulumi.runtime.set_mocks` stands in for the engine, `StackMocks`
answers for AWS (made-up but well-formed ids, ARNs and statuses: each type's answer is its entry
in offline/registry/), and `RecordingMonitor`
keeps every registration with its type, name, parent, dependencies and inputs. Tests and
the offline plan are both built on `record()`.
"""

from __future__ import annotations

import hashlib
import json
import os
import runpy
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from eksfargate.facts.resource_types import STACK_REFERENCE
from eksfargate.project import PLATFORM_PROJECT_DIR
from eksfargate.stack_files import StackFileError, config_string, read_project, read_stack, type_errors
from offline import mock_runtime, registry
from offline.projects import NoSuchStack, plan_process, project_name, referenced_stack
from offline.registry.entry import MOCK_ACCOUNT_ID as MOCK_ACCOUNT_ID  # re-exported: the tests' account
from offline.registry.entry import NewResource
from offline.unknowns import zone_placeholder as zone_placeholder  # re-exported: the tests' zone names

if TYPE_CHECKING:  # the messages the mock monitor is handed (the SDK ships their stubs)
    from pulumi.runtime.proto.resource_pb2 import (
        ReadResourceRequest,
        ReadResourceResponse,
        RegisterResourceRequest,
        RegisterResourceResponse,
    )

PROJECT_DIR = PLATFORM_PROJECT_DIR
# The organization a DIY (self-managed) backend gives every stack; Pulumi Cloud gives the real one.
DIY_ORGANIZATION = "organization"


@dataclass
class RecordedResource:
    """One registration the program made: a custom resource, a component or a provider."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    remote: bool
    provider: str | None
    protect: bool
    delete_before_replace: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)

    def depends_on(self, other: RecordedResource) -> bool:
        return other.urn in self.dependencies


@dataclass
class Recording:
    """Everything one run of the program declared, and how it ended."""

    project: str
    stack: str
    config: dict[str, str]
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    error: BaseException | None
    project_dir: Path = PROJECT_DIR
    secret_config: frozenset[str] = frozenset()  # config keys whose stack file value is `secure:`

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> RecordedResource:
        matches = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(matches) != 1:
            raise LookupError(f"expected one {type_} {name or ''}, found {[r.name for r in matches]}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        return next(r for r in self.resources if r.urn == urn)

    def children(self, parent: RecordedResource) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent.urn]


def stack_config(stack: str, project_dir: Path = PROJECT_DIR, stack_file: Path | None = None) -> dict[str, str]:
    """The config the CLI would hand the program: Pulumi.yaml defaults, then the stack file.

    Read as the CLI reads them (offline/stackfile.py): YAML 1.2 scalars, keys namespaced with
    the project, values as strings (lists as JSON, booleans as true/false), and the CLI's type
    check of typed project keys. The stack file is Pulumi.<stack>.yaml beside Pulumi.yaml unless
    `stack_file` names one. Raises StackFileError (a ValueError) or FileNotFoundError.
    """
    project = read_project(project_dir)
    config: dict[str, str] = {}
    for key, declaration in project.declarations.items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[_qualify(key, project.name)] = config_string(declaration["default"])
    stack_file = stack_file or project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise FileNotFoundError(f"no stack file {stack_file.name} in {project_dir}")
    values = read_stack(project, stack_file)
    errors = type_errors(project, values)
    if errors:
        raise StackFileError(errors[0])
    config.update({key: config_string(value) for key, value in values.values.items()})
    return config


def overridden(config: dict[str, str], overrides: dict[str, Any] | None, project: str) -> dict[str, str]:
    """A stack's config with `overrides` in place of its keys, as `record` hands it to the program (a key
    without a namespace is the project's)."""
    return config | {_qualify(key, project): config_string(value) for key, value in (overrides or {}).items()}


def record(
    stack: str,
    overrides: dict[str, Any] | None = None,
    project_dir: Path = PROJECT_DIR,
    stack_file: Path | None = None,
    preview: bool = False,
) -> Recording:
    """Runs `__main__.py` for a stack file under mocks. `overrides` replace config keys.

    The program's own modules (settings, components, cost) are imported once per process:
    to record another checkout (`project_dir`), use a process of its own, as offline/revisions.py does.

    `preview=True` records what `pulumi preview` knows before a first deploy: the SDK runs
    as a dry run and `PreviewMocks` answer with `{{Kind:name.property}}` placeholders instead
    of made-up ids, ARNs and names (offline/unknowns.py); exports may then hold `pulumi.output.Unknown`.

    A `pulumi.StackReference` reads the referenced stack's outputs from that stack's own
    offline plan (`stack_reference_outputs`), so a tenant stack needs no backend.
    """
    project = project_name(project_dir)
    config = overridden(stack_config(stack, project_dir, stack_file), overrides, project)
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    with mock_runtime.no_source_stack_traces(), mock_runtime.collector_paused():  # from set_mocks on: it registers the root Stack
        return _run(stack, project, config, project_dir, stack_file, preview)


def _run(
    stack: str, project: str, config: dict[str, str], project_dir: Path, stack_file: Path | None, preview: bool
) -> Recording:
    mocks = (PreviewMocks if preview else StackMocks)(region=config.get("aws:region", "us-east-1"), project_dir=project_dir)
    monitor = RecordingMonitor(mocks)
    pulumi_settings.ROOT.set(None)
    _cancel_outputs_left_pending()
    secret_config = read_stack(read_project(project_dir), stack_file or project_dir / f"Pulumi.{stack}.yaml").secrets
    set_all_config(config, secret_keys=sorted(secret_config))
    pulumi_mocks.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor, organization=DIY_ORGANIZATION)

    exported: dict[str, Any] = {}
    secret: set[str] = set()

    async def resolve_exports() -> None:
        root = pulumi_settings.get_root_resource()
        for name, value in root.outputs.items():  # type: ignore[union-attr]
            output = pulumi.Output.from_input(value)
            exported[name] = await output.future(with_unknowns=preview)
            if await output.is_secret():
                secret.add(name)

    def program() -> Any:
        runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")
        return resolve_exports()

    error: BaseException | None = None
    mock_runtime.answer_the_monitor_inline()
    try:
        _sync_await(run_pulumi_func(program))
    except Exception as exc:  # noqa: BLE001 - handed to the caller in the recording
        error = exc
    if mocks.reference_errors:
        error = mocks.reference_errors[0]
    return Recording(
        project=project,
        stack=stack,
        config=config,
        resources=monitor.recorded,
        outputs=exported,
        secret_outputs=secret,
        error=error,
        project_dir=project_dir,
        secret_config=secret_config,
    )


def _cancel_outputs_left_pending() -> None:
    """A program that fails stops the SDK awaiting its outputs at the first error, and the rest stay in
    the process-wide `SETTINGS.outputs`, which `set_mocks` does not renew: the next recording in this
    process would await them and report the earlier program's error as its own."""
    with pulumi_settings.SETTINGS.lock:
        for pending in pulumi_settings.SETTINGS.outputs:
            pending.cancel()
        pulumi_settings.SETTINGS.outputs.clear()


_REFERENCED_PLANS: dict[tuple[str, str], dict[str, Any]] = {}


@dataclass(frozen=True)
class StackOutputs:
    """What a StackReference reads: a stack's outputs and which of them are secret."""

    outputs: dict[str, Any]
    secret: frozenset[str]


def stack_reference_outputs(name: str, project_dir: Path) -> StackOutputs:
    """The outputs of the stack a StackReference names, from its offline plan (`referenced_plan`)."""
    plan = referenced_plan(name, project_dir)
    return StackOutputs(plan["outputs"], frozenset(plan["secretOutputs"]))


def referenced_plan(name: str, project_dir: Path) -> dict[str, Any]:
    """The offline plan of the stack a StackReference names (`referenced_stack`): values AWS decides
    are placeholders, secrets masked; made in a process of its own (whose first import path is that
    project's, so it runs with its own library), once per process, and once per worker where
    offline/worker.py plans many stacks (SHARED_REFERENCED_PLANS); none where this process or its
    worker was handed that plan already (`keep_referenced_plan`).
    Raises StackReferenceError when there is no such stack file or it cannot be planned.
    """
    try:
        found, stack = referenced_stack(name, project_dir)
    except NoSuchStack as exc:
        raise StackReferenceError(str(exc)) from exc
    key = _referenced_key(found, stack)
    shared = _shared_referenced_plan(key)
    if key not in _REFERENCED_PLANS and shared is not None and shared.is_file():
        _REFERENCED_PLANS[key] = json.loads(shared.read_text())
    if key not in _REFERENCED_PLANS:
        with tempfile.TemporaryDirectory(prefix="stack-reference-") as out:
            command = [sys.executable, "-m", "offline", "plan", "--stack", stack, "--project-dir", str(found)]
            command += ["--out", out, "--quiet", "--no-checks"]
            done = subprocess.run(command, **plan_process(found), capture_output=True, text=True, check=False)
            if done.returncode != 0:
                reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1].removeprefix("error: ")
                raise StackReferenceError(f"stack reference {name!r}: stack {stack} cannot be planned offline: {reason}")
            keep_referenced_plan(found, stack, (Path(out) / "plan.json").read_text())
    return _REFERENCED_PLANS[key]


def keep_referenced_plan(project_dir: Path, stack: str, text: str) -> None:
    """`text`, the plan.json of `stack` in `project_dir` planned from its own stack file by this
    checkout's tools (with its checks or without: the checks add files, not a byte of plan.json), as
    what a StackReference to that stack reads in this process, and in the other plans of its worker."""
    key = _referenced_key(project_dir, stack)
    _REFERENCED_PLANS[key] = json.loads(text)
    shared = _shared_referenced_plan(key)
    if shared is not None:  # whole or not at all: another plan of the worker may be reading it
        partial = shared.with_name(f"{shared.name}.{os.getpid()}")
        partial.write_text(text)
        os.replace(partial, shared)


def _referenced_key(project_dir: Path, stack: str) -> tuple[str, str]:
    return str(project_dir.resolve()), stack


# A folder the plans of one `offline.worker` share referenced plans in (it sets it for its children,
# which plan one revision: a referenced stack's plan is the same for all of them), beside the cache
# of each process.
SHARED_REFERENCED_PLANS = "OFFLINE_SHARED_REFERENCED_PLANS"


def _shared_referenced_plan(key: tuple[str, str]) -> Path | None:
    folder = os.environ.get(SHARED_REFERENCED_PLANS)
    if not folder or not Path(folder).is_dir():
        return None
    return Path(folder) / f"{hashlib.sha256(json.dumps(key).encode()).hexdigest()}.json"


class StackReferenceError(pulumi.RunError):
    """A StackReference names a stack that cannot be read offline."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping what each registration asked for."""

    def __init__(self, mocks: pulumi_mocks.Mocks):
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request: RegisterResourceRequest) -> RegisterResourceResponse:  # noqa: N802 - gRPC method name
        # The SDK's MockMonitor is unannotated.
        response: RegisterResourceResponse = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self._keep(
                response.urn,
                request,
                inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
                custom=request.custom,
                remote=request.remote,
                protect=request.protect,
                delete_before_replace=request.deleteBeforeReplace,
                property_dependencies={key: sorted(deps.urns) for key, deps in request.propertyDependencies.items() if deps.urns},
            )
        return response

    def ReadResource(self, request: ReadResourceRequest) -> ReadResourceResponse:  # noqa: N802 - gRPC method name
        """A resource read, not created: a StackReference (its inputs are the stack's name)."""
        response: ReadResourceResponse = super().ReadResource(request)  # type: ignore[no-untyped-call]
        # The engine answers a read with its id, in a preview too; the SDK's mock leaves it out, which
        # the SDK takes for unknown in a preview, so that every invoke waiting on the read came back unknown.
        response.id = self.resources[response.urn].id
        self._keep(
            response.urn,
            request,
            inputs={"name": self.resources[response.urn].state.get("name")},
            custom=True,
            remote=False,
            protect=False,
            delete_before_replace=False,
            property_dependencies={},
        )
        return response

    def _keep(self, urn: str, request: RegisterResourceRequest | ReadResourceRequest, **what: Any) -> None:
        registration = self.resources[urn]
        self.recorded.append(
            RecordedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                provider=request.provider or None,
                dependencies=sorted(set(request.dependencies)),
                id=registration.id or "",
                outputs=registration.state,
                **what,
            )
        )


class StackMocks(pulumi_mocks.Mocks):
    """Answers for AWS and the cluster the way they would after a deploy, deterministically: each
    type's answer is its registry entry's (offline/registry/)."""

    preview = False

    def __init__(self, region: str, project_dir: Path = PROJECT_DIR):
        self.region = region
        self.project_dir = project_dir
        self.reference_errors: list[StackReferenceError] = []

    # An invoke's result alone, no failures: the SDK's MockMonitor.Invoke takes a dict so, where
    # Mocks.call's annotation asks for a (result, failures) pair.
    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        return registry.answer(args.token, args.args, self.region, self.preview)

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args.inputs["name"])
        resource = NewResource(args.typ, args.name, args.inputs, self.region)
        return registry.previewed(resource) if self.preview else registry.deployed(resource)

    def _stack_reference(self, name: str) -> tuple[str, dict[str, Any]]:
        try:
            answer = stack_reference_outputs(name, self.project_dir)
        except StackReferenceError as exc:
            # Reported as the recording's error once the run ends (raising here would leave the
            # run's RPC threads half-way); without outputs, what reads them waits or fails.
            self.reference_errors.append(exc)
            return name, {"name": name}
        return name, {"name": name, "outputs": answer.outputs, "secretOutputNames": sorted(answer.secret)}


class PreviewMocks(StackMocks):
    """Answers as a first `pulumi preview` would: inputs are known, whatever the cloud assigns is not.

    Ids, ARNs, autonamed IAM names, the cluster's OIDC issuer and kubeconfig, the ALB
    hostname and the account id are placeholders naming where the value will come from
    (offline/unknowns.py), so they flow through the program (into trust policies, Helm values,
    ARNs) visibly. Outputs left out here are unknown to the SDK (dry run), as in a real preview.
    """

    preview = True


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"
