"""Runs the real Pulumi program offline, under the SDK's mocks, and records what it declares.

No engine, no cloud: `pulumi.runtime.set_mocks` stands in for the engine, `StackMocks`
answers for AWS (made-up but well-formed ids, ARNs and statuses), and `RecordingMonitor`
keeps every registration with its type, name, parent, dependencies and inputs. Tests and
the offline plan are both built on `record()`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import runpy
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from eksfargate.facts.resource_types import (
    ACM_CERTIFICATE,
    EKS_CLUSTER_COMPONENT,
    ELASTIC_IP,
    FARGATE_PROFILE,
    GET_CALLER_IDENTITY,
    GET_HOSTED_ZONE,
    GET_LOAD_BALANCER_HOSTED_ZONE_ID,
    HELM_RELEASE,
    IAM_POLICY,
    IAM_ROLE,
    INGRESS,
    INTERNET_GATEWAY,
    KMS_KEY,
    LOG_GROUP,
    NAT_GATEWAY,
    ROUTE53_RECORD,
    ROUTE_TABLE,
    S3_BUCKET,
    STACK_REFERENCE,
    SUBNET,
    VPC,
)
from eksfargate.project import PLATFORM_PROJECT_DIR, TOOLS_DIR
from eksfargate.regions import RegionError, supported_region
from eksfargate.stack_files import StackFileError, config_string, read_project, read_stack, type_errors

PROJECT_DIR = PLATFORM_PROJECT_DIR
MOCK_ACCOUNT_ID = "123456789012"
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


def project_name(project_dir: Path = PROJECT_DIR) -> str:
    return read_project(project_dir).name


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
    of made-up ids, ARNs and names (see `placeholder`); exports may then hold `pulumi.output.Unknown`.

    A `pulumi.StackReference` reads the referenced stack's outputs from that stack's own
    offline plan (`stack_reference_outputs`), so a tenant stack needs no backend.
    """
    project = project_name(project_dir)
    config = stack_config(stack, project_dir, stack_file)
    for key, value in (overrides or {}).items():
        config[_qualify(key, project)] = config_string(value)
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))

    mocks = (PreviewMocks if preview else StackMocks)(region=config.get("aws:region", "us-east-1"), project_dir=project_dir)
    monitor = RecordingMonitor(mocks)
    pulumi_settings.ROOT.set(None)
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


_REFERENCED_PLANS: dict[tuple[str, str], dict[str, Any]] = {}


def plan_process(checkout: Path) -> dict[str, Any]:
    """`subprocess.run` arguments that plan with another checkout as it would plan itself: its
    program, library and tools (from its root and tools folder) ahead of this checkout's installed ones."""
    tools = checkout / TOOLS_DIR.relative_to(PLATFORM_PROJECT_DIR)
    path = os.pathsep.join(filter(None, [str(tools), os.environ.get("PYTHONPATH")]))
    return {"cwd": checkout, "env": dict(os.environ, PYTHONPATH=path)}


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
    """The offline plan of the stack a StackReference names (`[<org>/][<project>/]<stack>`): values
    AWS decides are placeholders, secrets masked; made in a process of its own (whose first import
    path is that project's, so it runs with its own library), once per process, and once per
    worker where offline/worker.py plans many stacks (SHARED_REFERENCED_PLANS). The project is this one or one beside it or in its
    parent folder (a tenant project in a subfolder of its platform's).
    Raises StackReferenceError when there is no such stack file or it cannot be planned.
    """
    parts = name.split("/")
    stack = parts[-1]
    wanted = parts[-2] if len(parts) > 1 else project_name(project_dir)
    candidates = [project_dir, project_dir.parent, *sorted(p for p in project_dir.parent.iterdir() if p.is_dir())]
    found = next((d for d in candidates if (d / "Pulumi.yaml").is_file() and project_name(d) == wanted), None)
    if found is None:
        raise StackReferenceError(f"stack reference {name!r}: no project named {wanted!r} in or beside {project_dir}")
    if not (found / f"Pulumi.{stack}.yaml").is_file():
        raise StackReferenceError(
            f"stack reference {name!r}: the referenced stack does not exist (no stack file Pulumi.{stack}.yaml in {found})"
        )
    key = (str(found.resolve()), stack)
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
            text = (Path(out) / "plan.json").read_text()
            _REFERENCED_PLANS[key] = json.loads(text)
            if shared is not None:  # whole or not at all: another plan of the worker may be reading it
                partial = shared.with_name(f"{shared.name}.{os.getpid()}")
                partial.write_text(text)
                os.replace(partial, shared)
    return _REFERENCED_PLANS[key]


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

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
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

    def ReadResource(self, request):  # noqa: N802 - gRPC method name
        """A resource read, not created: a StackReference (its inputs are the stack's name)."""
        response = super().ReadResource(request)
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

    def _keep(self, urn: str, request: Any, **what: Any) -> None:
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


def zone_placeholder(zone_id: str) -> str:
    """A zone's name where the offline plan cannot know it: which name an account gives a zone id varies."""
    return f"{{{{AvailabilityZone:{zone_id}.name}}}}"


class StackMocks(pulumi_mocks.Mocks):
    """Answers for AWS and the cluster the way they would after a deploy, deterministically."""

    def __init__(self, region: str, project_dir: Path = PROJECT_DIR):
        self.region = region
        self.project_dir = project_dir
        self.reference_errors: list[StackReferenceError] = []

    def _zones(self, query: dict) -> dict:
        """`getAvailabilityZones` as AWS would answer it, from data/regions.json, never made up.

        Zone ids are the recorded ones, or, where a region's ids were not read, the ids the stack
        pins (a zone-id filter). A zone's name is given only where the region maps names to ids
        the same way in every account and the pairing is recorded; elsewhere it is the placeholder
        {{AvailabilityZone:<zone id>.name}}, since another account names that zone differently.
        Every recorded zone is a standard one (opt-in-not-required), so the opt-in filter keeps all.
        """
        try:
            region = supported_region(self.region)
        except RegionError as exc:
            raise NotImplementedError(f"no offline zones for region {self.region!r}: {exc}") from None
        wanted: set[str] | None = None
        for flt in query.get("filters") or []:
            if flt.get("name") == "zone-id":
                values = set(flt.get("values") or [])
                wanted = values if wanted is None else wanted & values
        if region.zones is not None:
            ids = [zone.id for zone in region.zones]
        elif wanted is not None:
            ids = sorted(wanted)
        else:
            raise NotImplementedError(
                f"no offline zones for region {self.region!r}: its zone ids are not recorded in eksfargate/data/regions.json; "
                "pin the stack's zones with availabilityZoneIds (aws ec2 describe-availability-zones --region "
                f"{self.region})"
            )
        excluded = set(query.get("excludeZoneIds") or [])
        kept = [zone_id for zone_id in ids if zone_id not in excluded and (wanted is None or zone_id in wanted)]
        names = {zone.id: zone.name for zone in region.zones or ()} if region.names_known else {}
        return {
            "names": [names.get(zone_id) or zone_placeholder(zone_id) for zone_id in kept],
            "zoneIds": kept,
            "id": self.region,
        }

    def call(self, args: pulumi_mocks.MockCallArgs):
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return self._zones(args.args)
        if args.token == GET_CALLER_IDENTITY:
            return {
                "accountId": MOCK_ACCOUNT_ID,
                "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/offline",
                "userId": "AIDAOFFLINE",
                "id": MOCK_ACCOUNT_ID,
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if args.token == GET_HOSTED_ZONE:
            name = args.args["name"]
            zone_id = "Z" + hashlib.sha256(name.encode()).hexdigest()[:13].upper()
            return {"name": name, "zoneId": zone_id, "id": zone_id, "privateZone": False}
        if args.token == GET_LOAD_BALANCER_HOSTED_ZONE_ID:
            zone_id = "Z" + hashlib.sha256(f"{self.region}/application".encode()).hexdigest()[:13].upper()
            return {"id": zone_id, "loadBalancerType": "application", "region": self.region}
        raise NotImplementedError(f"no offline answer for the invoke {args.token}")

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        outputs = dict(args.inputs)
        suffix = hashlib.sha256(f"{args.typ}::{args.name}".encode()).hexdigest()[:17]
        resource_id = f"{args.name}-{suffix[:8]}"
        arn_base = f"arn:aws:{{}}:{self.region}:{MOCK_ACCOUNT_ID}"

        if args.typ == VPC:
            resource_id = f"vpc-{suffix}"
        elif args.typ == SUBNET:
            resource_id = f"subnet-{suffix}"
        elif args.typ == NAT_GATEWAY:
            resource_id = f"nat-{suffix}"
        elif args.typ == ELASTIC_IP:
            resource_id = f"eipalloc-{suffix}"
        elif args.typ == INTERNET_GATEWAY:
            resource_id = f"igw-{suffix}"
        elif args.typ == ROUTE_TABLE:
            resource_id = f"rtb-{suffix}"
        elif args.typ == IAM_ROLE:
            outputs.update(name=resource_id, arn=f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/{resource_id}")
        elif args.typ == IAM_POLICY:
            outputs.update(name=resource_id, arn=f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy/{resource_id}")
        elif args.typ == LOG_GROUP:
            outputs["arn"] = arn_base.format("logs") + f":log-group:{args.inputs['name']}"
        elif args.typ == S3_BUCKET:
            outputs.update(bucket=resource_id, arn=f"arn:aws:s3:::{resource_id}")
        elif args.typ == ACM_CERTIFICATE:
            outputs["arn"] = arn_base.format("acm") + f":certificate/{suffix[:8]}-0000-4000-8000-{suffix[:12]}"
            domain = args.inputs["domainName"]
            outputs["domainValidationOptions"] = [
                {
                    "domainName": domain,
                    "resourceRecordName": f"_{suffix[:12]}.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{suffix[-12:]}.acm-validations.aws.",
                }
            ]
        elif args.typ == ROUTE53_RECORD:
            outputs["fqdn"] = args.inputs.get("name")
        elif args.typ == KMS_KEY:
            resource_id = f"{suffix[:8]}-0000-4000-8000-{suffix[:12]}"
            outputs["arn"] = arn_base.format("kms") + f":key/{resource_id}"
        elif args.typ == FARGATE_PROFILE:
            outputs["arn"] = (
                arn_base.format("eks") + f":fargateprofile/{args.inputs['clusterName']}/{args.inputs['fargateProfileName']}"
            )
        elif args.typ == EKS_CLUSTER_COMPONENT:
            outputs.update(self._cluster_outputs(args.inputs.get("name") or args.name))
        elif args.typ == INGRESS:
            namespace = args.inputs.get("metadata", {}).get("namespace", "default")
            hostname = f"k8s-{namespace}-{suffix[:10]}.{self.region}.elb.amazonaws.com"
            outputs["status"] = {"loadBalancer": {"ingress": [{"hostname": hostname}]}}
        elif args.typ == HELM_RELEASE:
            outputs["status"] = {"status": "deployed", "version": 1, "chart": args.inputs.get("chart")}
        elif args.typ == STACK_REFERENCE:
            return self._stack_reference(args.inputs["name"])
        return resource_id, outputs

    def _stack_reference(self, name: str) -> tuple[str, dict[str, Any]]:
        try:
            answer = stack_reference_outputs(name, self.project_dir)
        except StackReferenceError as exc:
            # Reported as the recording's error once the run ends (raising here would leave the
            # run's RPC threads half-way); without outputs, what reads them waits or fails.
            self.reference_errors.append(exc)
            return name, {"name": name}
        return name, {"name": name, "outputs": answer.outputs, "secretOutputNames": sorted(answer.secret)}

    def _cluster_outputs(self, cluster_name: str) -> dict[str, Any]:
        issuer_id = hashlib.sha256(cluster_name.encode()).hexdigest()[:32].upper()
        issuer = f"oidc.eks.{self.region}.amazonaws.com/id/{issuer_id}"
        kubeconfig = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": f"https://{issuer_id}.gr7.{self.region}.eks.amazonaws.com"}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {"exec": {"command": "aws", "args": ["eks", "get-token", "--cluster-name", cluster_name]}},
                }
            ],
        }
        return {
            "kubeconfig": kubeconfig,
            "kubeconfigJson": json.dumps(kubeconfig),
            "oidcIssuer": issuer,
            "oidcProviderUrl": f"https://{issuer}",
            "oidcProviderArn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/{issuer}",
            "clusterSecurityGroupId": f"sg-{issuer_id[:17].lower()}",
        }


# A value only the cloud can tell, in preview recordings: `{{<Kind>:<resource name>.<property>}}`
# (Kind is the last part of the type token: names alone repeat, e.g. a subnet and its route table).
PLACEHOLDER = re.compile(r"\{\{([^{}\s]+)\}\}")


def placeholder(source: str, prop: str) -> str:
    """The stand-in for property `prop` of `source` ("Kind:name", or an invoke's name), known after deploy."""
    return "{{" + f"{source}.{prop}" + "}}"


class PreviewMocks(StackMocks):
    """Answers as a first `pulumi preview` would: inputs are known, whatever the cloud assigns is not.

    Ids, ARNs, autonamed IAM names, the cluster's OIDC issuer and kubeconfig, the ALB
    hostname and the account id are placeholders naming where the value will come from,
    so they flow through the program (into trust policies, Helm values, ARNs) visibly.
    Outputs left out here are unknown to the SDK (dry run), as in a real preview.
    """

    def call(self, args: pulumi_mocks.MockCallArgs):
        result = super().call(args)
        if args.token == GET_CALLER_IDENTITY:
            source = "getCallerIdentity"
            result = {key: placeholder(source, key) for key in ("accountId", "arn", "userId")} | {"id": placeholder(source, "id")}
        elif args.token == GET_HOSTED_ZONE:
            source = f"getZone:{args.args['name']}"
            result |= {"zoneId": placeholder(source, "zoneId"), "id": placeholder(source, "id")}
        elif args.token == GET_LOAD_BALANCER_HOSTED_ZONE_ID:
            result["id"] = placeholder("getHostedZoneId:application", "id")
        return result

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        typ = args.typ
        if typ == STACK_REFERENCE:
            return self._stack_reference(args.inputs["name"])
        name = f"{typ.rsplit(':', 1)[-1]}:{args.name}"
        outputs = dict(args.inputs)
        if typ.startswith("aws:"):
            outputs.setdefault("arn", placeholder(name, "arn"))
            if typ in (IAM_ROLE, IAM_POLICY) and not args.inputs.get("name"):
                outputs["name"] = placeholder(name, "name")
            if typ == S3_BUCKET and not args.inputs.get("bucket"):
                outputs["bucket"] = placeholder(name, "bucket")
        elif typ == EKS_CLUSTER_COMPONENT:
            keys = ("kubeconfig", "kubeconfigJson", "oidcIssuer", "oidcProviderUrl", "oidcProviderArn", "clusterSecurityGroupId")
            outputs.update({key: placeholder(name, key) for key in keys})
        elif typ == INGRESS:
            outputs["status"] = {"loadBalancer": {"ingress": [{"hostname": placeholder(name, "hostname")}]}}
        elif typ == HELM_RELEASE:
            outputs["status"] = {"status": placeholder(name, "status")}
        return placeholder(name, "id"), outputs


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"
