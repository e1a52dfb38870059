"""External Secrets Operator as the stacks use it: its API, its AWS services and its kinds (read by the pack too).

Source: external-secrets/external-secrets at the chart's release commit for 2.9.0 (cc5bfbc22, "chore: release
helm chart for 2.9.0"): `apis/externalsecrets/v1/` (v1 is the storage version; v1beta1 is no longer served),
`apis/externalsecrets/v1/secretstore_aws_types.go` (the services), `docs/provider/aws-secrets-manager.md`.
"""

API_VERSION = "external-secrets.io/v1"
# The chart, and where its values put each Deployment's settings ("" = top level); one replica each by default.
CHART_NAME = "external-secrets"
DEPLOYMENT_VALUES = {"controller": "", "webhook": "webhook", "cert-controller": "certController"}
DEFAULT_REPLICAS = 1
# The operator's namespace on a platform, and its Fargate profile's name.
OPERATOR_NAMESPACE = "external-secrets"
SECRET_STORE_KIND = "SecretStore"
EXTERNAL_SECRET_KIND = "ExternalSecret"

# `spec.provider.aws.service` values, and how a setting and the IAM service prefix spell each.
SECRETS_MANAGER = "SecretsManager"
PARAMETER_STORE = "ParameterStore"
SERVICE_PREFIXES = {SECRETS_MANAGER: "secretsmanager", PARAMETER_STORE: "ssm"}

# Secrets Manager appends '-' and six random characters to a secret's name in its ARN.
SECRET_ARN_SUFFIX_WILDCARD = "-??????"

# IAM actions that read a secret's or a parameter's value (what a tenant policy must keep to its prefix).
READ_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
)
