"""appAwsSecrets, appSecretsRefreshInterval and appSecretsKmsKeyArn, read once into `AwsSecrets` (both projects).

Each problem is a SettingsError naming the key, the value and what is allowed, raised before any
resource is declared. The one check that needs the stack's AWS account (an ARN of another account)
is `check_account`, which each program calls with the caller identity before it declares anything.
"""

from __future__ import annotations

import re

from eksfargate import secrets
from eksfargate.config_reader import Reader, SettingsError
from eksfargate.secrets import SECRETS_KEY, AwsSecret, AwsSecrets

REFRESH_KEY = "appSecretsRefreshInterval"
KMS_KEY = "appSecretsKmsKeyArn"
ACCOUNT_ID = re.compile(r"^\d{12}$")


def read_aws_secrets(config: Reader, team: str, region: str, variables: tuple[str, ...]) -> AwsSecrets:
    """The workload's secrets from AWS; `variables` are the names appEnv and appSecretEnv already set."""
    items: list[AwsSecret] = []
    for item in config.strings(SECRETS_KEY):
        parsed = secrets.parse_item(item)
        if parsed is None:
            raise SettingsError(config.key(SECRETS_KEY), item, secrets.ITEM_RULE)
        problem = secrets.item_problem(parsed, team, region)
        if problem:
            raise SettingsError(config.key(SECRETS_KEY), item, problem)
        items.append(parsed)
    targets = [s.target for s in items]
    for index, target in enumerate(targets):
        if target in targets[:index] or target in variables:
            raise SettingsError(
                config.key(SECRETS_KEY),
                target,
                "each variable and file fed by one secret only (it is also set "
                + ("by appEnv or appSecretEnv)" if target in variables else "by another item of appAwsSecrets)"),
            )
    directories = sorted({s.mount_directory for s in items if s.is_file})
    for directory in directories:
        nested = next((d for d in directories if d != directory and d.startswith(directory + "/")), None)
        if nested:
            raise SettingsError(
                config.key(SECRETS_KEY),
                directory,
                f"files in directories that do not nest: {directory} and {nested} would be two read-only mounts, one "
                "over the other",
            )
    refresh = config.string(REFRESH_KEY)
    seconds = secrets.refresh_seconds(refresh)
    low, high = secrets.REFRESH_RANGE_SECONDS
    if seconds is None or not low <= seconds <= high:
        raise SettingsError(config.key(REFRESH_KEY), refresh, secrets.REFRESH_RULE)
    kms_key = config.string(KMS_KEY)
    if kms_key:
        if not secrets.is_kms_key_arn(kms_key):
            raise SettingsError(config.key(KMS_KEY), kms_key, "empty, or a KMS key ARN: arn:aws:kms:<region>:<account>:key/<id>")
        if not items:
            raise SettingsError(config.key(KMS_KEY), kms_key, f"empty while {SECRETS_KEY} lists no secret")
        parts = secrets.arn_parts(kms_key)
        if parts and parts[1] != region:
            raise SettingsError(config.key(KMS_KEY), kms_key, f"a key in the stack's region {region}")
    return AwsSecrets(tuple(items), refresh, kms_key, config.key(SECRETS_KEY))


def check_account(aws_secrets: AwsSecrets, account: str, partition: str) -> None:
    """Every ARN is in the stack's own account and partition: a role can be granted another account's secret, but
    that account's resource policy decides, and a tenant's prefix means nothing there. An account that is not yet
    known (an offline first preview, where the identity is known only after deploy) is checked at deploy."""
    if not ACCOUNT_ID.match(account):
        return
    for arn in aws_secrets.arns():
        parts = secrets.arn_parts(arn)
        if parts and (parts[0], parts[2]) != (partition, account):
            key = aws_secrets.key if arn != aws_secrets.kms_key_arn else aws_secrets.key.replace(SECRETS_KEY, KMS_KEY)
            raise SettingsError(key, arn, f"an ARN of the stack's own account {account} (partition {partition})")
