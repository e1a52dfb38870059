"""The secret settings both projects declare (appAwsSecrets and its refresh and key), and the platform's operator switch.

Declared here once, listed by eksfargate/platform_schema.py and eksfargate/tenant_schema.py; read by
eksfargate/secrets_settings.py. See eksfargate/secrets.py for an item's shape.
"""

from __future__ import annotations

from eksfargate.settings_schema import Setting

WORKLOAD_SECRET_SETTINGS = (
    Setting(
        "appAwsSecrets",
        "array",
        [],
        "Secrets the app reads from AWS, by name: TARGET=SOURCE[#PROPERTY] each. TARGET an environment variable or an "
        "absolute file path (under a read-only mount of its directory); SOURCE secretsmanager:<team>/<name>, "
        "ssm:/<team>/<name> or the secret's or parameter's ARN (the stack's region and account); PROPERTY one JSON key. "
        "External Secrets Operator copies each value into a Kubernetes Secret of the namespace; the value never "
        "enters the stack.",
        doc="secrets from AWS by name, `TARGET=SOURCE[#PROPERTY]` each: an environment variable or a file path, "
        "fed from `secretsmanager:<team>/<name>`, `ssm:/<team>/<name>` or an ARN, optionally one JSON key (see "
        "[Secrets from AWS](secrets.md))",
    ),
    Setting(
        "appSecretsRefreshInterval",
        "string",
        "1h",
        "How often External Secrets Operator reads each of appAwsSecrets again (a duration, 1m to 168h). Each read "
        "is an API call; a file gets the new value within about a minute of it, a variable at the pod's next start.",
        doc="how often each of `appAwsSecrets` is read again, `1m` to `168h` (see [Rotation](secrets.md#rotation))",
    ),
    Setting(
        "appSecretsKmsKeyArn",
        "string",
        "",
        "The customer managed KMS key (ARN) appAwsSecrets are encrypted under, if any: the app's role may decrypt "
        "with it through Secrets Manager and Parameter Store only. Empty: the AWS managed keys.",
        doc="the customer managed KMS key `appAwsSecrets` are encrypted under (`kms:Decrypt` through those services "
        'only); `""`: the AWS managed keys',
    ),
)

EXTERNAL_SECRETS_SETTING = Setting(
    "externalSecrets",
    "boolean",
    False,
    "Run External Secrets Operator (pinned chart, own namespace and Fargate profile, no AWS rights of its own), "
    "which copies the apps' appAwsSecrets into Kubernetes Secrets as each app's own IAM role. Off by default: its "
    "three pods cost about as much as three app pods; the app's or tenants' appAwsSecrets need it.",
    doc="run External Secrets Operator, which copies `appAwsSecrets` into Kubernetes Secrets as each app's own "
    "role (see [Secrets from AWS](secrets.md)); the app's and tenants' secrets need it, its three pods are billed",
)
