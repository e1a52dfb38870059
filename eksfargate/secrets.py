"""Secrets a workload reads from AWS, by name only: parsed, checked, and what IAM must grant for them.

An item of `appAwsSecrets` is `TARGET=SOURCE[#PROPERTY]`:

- TARGET: an environment variable (`DB_PASSWORD`) or an absolute file path (`/etc/secrets/db`),
  the file under a read-only mount of its directory;
- SOURCE: `secretsmanager:<name>`, `ssm:<name>`, or the secret's or parameter's full ARN;
- PROPERTY: one JSON key of the value (External Secrets Operator's `remoteRef.property`).

`#` can appear in neither a secret's nor a parameter's name (both services' naming rules), so it
separates the property unambiguously. A team reads only its own prefix: secrets `<team>/...`,
parameters `/<team>/...`, in the stack's region and account. The value never passes through the
program: External Secrets Operator (components/external_secrets.py) copies it into a Kubernetes
Secret in the workload's namespace, as the workload's own IRSA role (components/workload_secrets.py).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from eksfargate.facts.external_secrets import (
    PARAMETER_STORE,
    SECRET_ARN_SUFFIX_WILDCARD,
    SECRETS_MANAGER,
    SERVICE_PREFIXES,
)

SECRETS_MANAGER_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
# ESO's ParameterStore provider reads a parameter with GetParameter (WithDecryption) only
# (external-secrets v2.9.0 providers/v1/aws/parameterstore/parameterstore.go, GetSecret).
PARAMETER_STORE_ACTIONS = ("ssm:GetParameter",)

# Secrets Manager names: letters, digits and /_+=.@- (CreateSecret "Name"); Parameter Store names:
# letters, digits and _.-/ (PutParameter "Name"). The value's JSON key: a gjson path of plain keys.
_SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_PARAMETER_NAME = re.compile(r"^/[A-Za-z0-9_./-]{1,1010}$")
_PROPERTY = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FILE_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+){2,}$")
_SECRET_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):secretsmanager:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):secret:"
    r"(?P<name>[A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}$"
)
_PARAMETER_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):ssm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):parameter"
    r"(?P<name>/[A-Za-z0-9_./-]+)$"
)
_KMS_KEY_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/[A-Za-z0-9-]{1,128}$"
)
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")

ITEM_RULE = (
    "TARGET=SOURCE[#PROPERTY]: TARGET an environment variable (DB_PASSWORD) or an absolute file path "
    "(/etc/secrets/db-password); SOURCE secretsmanager:<name>, ssm:<name> or the full ARN of a secret or parameter; "
    "PROPERTY one JSON key of the value, e.g. DB_PASSWORD=secretsmanager:checkout/db#password"
)
# How often ESO reads a value again: at least a minute (each read is an API call, billed), at most a week.
SECRETS_KEY = "appAwsSecrets"
REFRESH_RANGE_SECONDS = (60, 7 * 24 * 3600)
REFRESH_RULE = "a duration like 1h, 30m or 1h30m: from 1m to 168h (each refresh is one read per secret, billed)"


@dataclass(frozen=True)
class AwsSecret:
    """One secret or parameter and what it feeds in the container.

    target: the environment variable, or the file's absolute path.
    service: SECRETS_MANAGER or PARAMETER_STORE (ESO's names for them).
    name: the secret's or parameter's name (from the ARN when one was given).
    arn: the full ARN as given; empty when named.
    json_key: one JSON key of the value (ESO remoteRef.property); empty: the whole value.
    """

    target: str
    service: str
    name: str
    arn: str = ""
    json_key: str = ""

    @property
    def is_file(self) -> bool:
        return self.target.startswith("/")

    @property
    def remote_key(self) -> str:
        """What ESO asks the service for: the ARN as given (Secrets Manager takes it as SecretId), else the name."""
        return self.arn if self.arn and self.service == SECRETS_MANAGER else self.name

    @property
    def secret_key(self) -> str:
        """Its key in the Kubernetes Secret ESO writes: the variable's name, or `file.` and the path as a slug
        (a variable name holds no '.', so the two never meet)."""
        if not self.is_file:
            return self.target
        return "file." + self.target.strip("/").replace("/", "-").lower()

    @property
    def mount_directory(self) -> str:
        return posixpath.dirname(self.target)

    @property
    def source(self) -> str:
        """How the plan names it: the ARN, else service and name, and its JSON key."""
        named = self.arn or f"{SERVICE_PREFIXES[self.service]}:{self.name}"
        return named + (f"#{self.json_key}" if self.json_key else "")


@dataclass(frozen=True)
class AwsSecrets:
    """What a workload reads from AWS (names and ARNs only, never a value).

    items: each secret or parameter and the variable or file it feeds.
    refresh_interval: how often ESO reads them again, as ESO writes a duration (1h, 30m).
    kms_key_arn: the customer managed key they are encrypted under; empty: AWS managed keys.
    key: the fully qualified setting that lists them (what an error names).
    """

    items: tuple[AwsSecret, ...] = ()
    refresh_interval: str = "1h"
    kms_key_arn: str = ""
    key: str = SECRETS_KEY

    @property
    def refresh_seconds(self) -> int:
        seconds = refresh_seconds(self.refresh_interval)
        assert seconds is not None
        return seconds

    def arns(self) -> list[str]:
        return [s.arn for s in self.items if s.arn] + ([self.kms_key_arn] if self.kms_key_arn else [])


def parse_item(item: str) -> AwsSecret | None:
    """One `TARGET=SOURCE[#PROPERTY]` item; None when it has not that shape."""
    target, equals, rest = item.partition("=")
    source, _, prop = rest.partition("#")
    if not (equals and target and source) or ("#" in rest and not prop):
        return None
    if not (_ENV_NAME.match(target) or _FILE_PATH.match(target)) or (prop and not _PROPERTY.match(prop)):
        return None
    if posixpath.normpath(target) != target:
        return None
    if source.startswith("arn:"):
        for service, pattern in ((SECRETS_MANAGER, _SECRET_ARN), (PARAMETER_STORE, _PARAMETER_ARN)):
            match = pattern.match(source)
            if match:
                return AwsSecret(target, service, match["name"], source, prop)
        return None
    prefix, colon, name = source.partition(":")
    named = next((s for s, p in SERVICE_PREFIXES.items() if p == prefix), None)
    rule = _SECRET_NAME if named == SECRETS_MANAGER else _PARAMETER_NAME
    if not colon or named is None or not rule.match(name):
        return None
    return AwsSecret(target, named, name, "", prop)


def arn_parts(arn: str) -> tuple[str, str, str] | None:
    """(partition, region, account) of a secret, parameter or KMS key ARN this module accepts."""
    for pattern in (_SECRET_ARN, _PARAMETER_ARN, _KMS_KEY_ARN):
        match = pattern.match(arn)
        if match:
            return match["partition"], match["region"], match["account"]
    return None


def is_kms_key_arn(arn: str) -> bool:
    return bool(_KMS_KEY_ARN.match(arn))


def team_prefix(service: str, team: str) -> str:
    """The names a team may read: secrets `<team>/...`, parameters `/<team>/...` (the slash keeps team
    `pay` out of team `payments`' names)."""
    return f"{team}/" if service == SECRETS_MANAGER else f"/{team}/"


def item_problem(secret: AwsSecret, team: str, region: str) -> str | None:
    """Why a parsed secret is not the team's to read in this region; None when it is."""
    prefix = team_prefix(secret.service, team)
    if not secret.name.startswith(prefix) or len(secret.name) == len(prefix):
        kind = "a secret" if secret.service == SECRETS_MANAGER else "a parameter"
        return f"{kind} of team {team}'s own, named {prefix}<name>: the team's IAM role reads nothing else"
    parts = arn_parts(secret.arn) if secret.arn else None
    if parts and parts[1] != region:
        return f"an ARN in the stack's region {region}: ESO reads each store in one region, and the role is granted there only"
    return None


def refresh_seconds(text: str) -> int | None:
    """A Go-style duration of hours, minutes and seconds (1h, 30m, 1h30m) in seconds; None when not one."""
    match = _DURATION.match(text)
    if not text or match is None:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def service_object_name(app: str, service: str) -> str:
    """The one name of an app's objects for one AWS service: its SecretStore, its ExternalSecret and the
    Kubernetes Secret ESO writes the values into (components/workload_secrets.py)."""
    return f"{app}-{SERVICE_PREFIXES[service]}"


def services(secrets: tuple[AwsSecret, ...]) -> list[str]:
    """The services the secrets come from, in a fixed order."""
    return [s for s in (SECRETS_MANAGER, PARAMETER_STORE) if any(secret.service == s for secret in secrets)]


def resource_arn(secret: AwsSecret, partition: str, region: str, account: str) -> str:
    """What the role is granted for one secret: its ARN as given, else the name's ARN. A secret's ARN ends in
    '-' and 6 random characters: `-??????` matches exactly those, where `-*` would also match another
    secret whose name merely starts with this one's (Secrets Manager user guide, "Permissions reference")."""
    if secret.arn:
        return secret.arn
    if secret.service == SECRETS_MANAGER:
        return f"arn:{partition}:secretsmanager:{region}:{account}:secret:{secret.name}{SECRET_ARN_SUFFIX_WILDCARD}"
    return f"arn:{partition}:ssm:{region}:{account}:parameter{secret.name}"


def read_policy(secrets: tuple[AwsSecret, ...], kms_key_arn: str, partition: str, region: str, account: str) -> dict[str, Any]:
    """The workload role's inline policy: read each named secret and parameter, nothing else; with a customer
    managed key, decrypt with it through those services only (kms:ViaService)."""
    statements: list[dict[str, Any]] = []
    for service, sid, actions in (
        (SECRETS_MANAGER, "ReadOwnSecrets", SECRETS_MANAGER_ACTIONS),
        (PARAMETER_STORE, "ReadOwnParameters", PARAMETER_STORE_ACTIONS),
    ):
        resources = sorted({resource_arn(s, partition, region, account) for s in secrets if s.service == service})
        if resources:
            statements.append({"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources})
    if kms_key_arn:
        via = sorted(f"{SERVICE_PREFIXES[s]}.{region}.amazonaws.com" for s in services(secrets))
        statements.append(
            {
                "Sid": "DecryptThroughThoseServices",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": via}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
