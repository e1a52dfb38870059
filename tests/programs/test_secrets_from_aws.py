"""Secrets from AWS (issue 25 part 3): what every stack that reads them declares, and every bad input refused.

Properties over every committed stack file (platform and tenants): each ExternalSecret reads through a store
of its own namespace that authenticates as the Deployment's own service account, whose role trusts only that
account and may read only what the team's prefix holds; the pods wait for the ExternalSecrets; the operator
has no AWS identity and nothing cluster-wide; no value appears anywhere.
"""

import copy
import fnmatch
import json

import jsonschema
import pytest

from components.external_secrets import WEBHOOK_PORT
from eksfargate.config_reader import SettingsError
from eksfargate.facts.pod_security import RESTRICTED_NAMESPACE_LABELS
from eksfargate.facts.resource_types import EXTERNAL_SECRET, SECRET_STORE
from eksfargate.project import TENANT_PROJECT_DIR
from eksfargate.secrets import team_prefix
from offline.harness import Recording, record
from offline.registry.entry import MOCK_ACCOUNT_ID
from tests import kubernetes_schemas
from tests.programs.test_kubernetes_schema import kubernetes_objects
from tests.tenants import tenant_recording

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"
TENANT = "eks-fargate-tenant"
PLATFORM = "eks-fargate"
OTHER_ACCOUNT = "210987654321"


def readers(recording: Recording) -> list:
    return recording.of_type(EXTERNAL_SECRET)


def team_of(recording: Recording) -> str:
    return recording.config[f"{recording.project}:team"]


def check_reads_as_its_own_account(recording: Recording) -> None:
    """Every ExternalSecret: a store in its namespace, as the Deployment's service account, whose role grants only the
    team's prefix and trusts only that account; the Deployment waits for it."""
    stores = {(s.inputs["metadata"]["namespace"], s.inputs["metadata"]["name"]): s for s in recording.of_type(SECRET_STORE)}
    (deployment,) = recording.of_type(DEPLOYMENT)
    pod = deployment.inputs["spec"]["template"]["spec"]
    for external in readers(recording):
        namespace = external.inputs["metadata"]["namespace"]
        store = stores[namespace, external.inputs["spec"]["secretStoreRef"]["name"]]
        assert external.inputs["spec"]["secretStoreRef"]["kind"] == "SecretStore"
        aws = store.inputs["spec"]["provider"]["aws"]
        assert aws["auth"]["jwt"]["serviceAccountRef"] == {"name": pod["serviceAccountName"]}
        assert deployment.depends_on(external), "the pods start after their Secret's ExternalSecret"
        for item in external.inputs["spec"]["data"]:
            assert (
                item["remoteRef"]["key"]
                .split(":secret:")[-1]
                .split(":parameter")[-1]
                .startswith(team_prefix(aws["service"], team_of(recording)).rstrip("/"))
            )
    account = next(a for a in recording.of_type(SERVICE_ACCOUNT) if a.inputs["metadata"]["name"] == pod["serviceAccountName"])
    (policy,) = [p for p in recording.of_type(ROLE_POLICY) if p.parent == account.parent]
    (role,) = [r for r in recording.of_type(ROLE) if r.parent == account.parent]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert [v for k, v in trust.items() if k.endswith(":sub")] == [
        f"system:serviceaccount:{account.inputs['metadata']['namespace']}:{pod['serviceAccountName']}"
    ]
    for statement in json.loads(policy.inputs["policy"])["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            if statement["Action"] == "kms:Decrypt":
                assert statement["Condition"]["StringEquals"]["kms:ViaService"]
                continue
            assert "*" not in resource
            name = resource.split(":secret:", 1)[-1] if ":secret:" in resource else resource.split(":parameter", 1)[-1]
            assert name.startswith(f"{team_of(recording)}/") or name.startswith(f"/{team_of(recording)}/")
            assert f":{MOCK_ACCOUNT_ID}:" in resource


def test_every_tenant_secret_is_read_as_its_own_account_within_its_prefix(tenant):
    if readers(tenant):
        check_reads_as_its_own_account(tenant)
        # The stores wait for the platform's operator (its CRDs): a platform without it fails the update.
        for store in tenant.of_type(SECRET_STORE):
            assert store.inputs["metadata"]["annotations"]


def test_every_platform_app_secret_is_read_as_its_own_account_after_the_operator(stack):
    if not readers(stack):
        return
    check_reads_as_its_own_account(stack)
    release = stack.one(RELEASE, "external-secrets-release")
    assert all(external.depends_on(release) for external in readers(stack)), "its CRDs and webhook come first"


def test_the_operator_runs_on_fargate_with_no_aws_identity_and_nothing_cluster_wide(stack):
    releases = [r for r in stack.of_type(RELEASE) if r.inputs["chart"] == "external-secrets"]
    if not releases:
        assert not readers(stack)
        return
    (release,) = releases
    values = release.inputs["values"]
    assert values["webhook"]["port"] == WEBHOOK_PORT != 10250, "Fargate keeps 10250 for its kubelet"
    assert not values["serviceAccount"]["annotations"], "no IAM role: a store without auth reads nothing"
    for kind in ("ClusterSecretStore", "ClusterExternalSecret", "ClusterGenerator", "ClusterPushSecret"):
        assert values["crds"][f"create{kind}"] is False
    assert not any(value for key, value in values.items() if key.startswith("processCluster"))
    namespace = release.inputs["namespace"]
    profiles = stack.of_type("aws:eks/fargateProfile:FargateProfile")
    assert any(s["namespace"] == namespace for p in profiles for s in p.inputs["selectors"])
    for part in (values, values["webhook"], values["certController"]):
        resources = part["resources"]
        assert resources["requests"] == resources["limits"]
        assert part["podAnnotations"], "rolled with the cluster's version and log router setup"


def test_the_operators_namespace_enforces_restricted_and_the_chart_keeps_its_hardened_pods(stack):
    """The chart's three pods meet "restricted" by its defaults (values.yaml at 2.9.0: securityContext and
    podSecurityContext enabled, non-root, no escalation, ALL dropped, RuntimeDefault): the namespace holds
    them to it, and the values never switch those settings off."""
    releases = [r for r in stack.of_type(RELEASE) if r.inputs["chart"] == "external-secrets"]
    if not releases:
        return
    (release,) = releases
    namespaces = [
        n for n in stack.of_type("kubernetes:core/v1:Namespace") if n.inputs["metadata"]["name"] == release.inputs["namespace"]
    ]
    assert len(namespaces) == 1, "the stack declares the operator's namespace, with its labels"
    assert RESTRICTED_NAMESPACE_LABELS.items() <= namespaces[0].inputs["metadata"]["labels"].items()
    assert not release.inputs.get("createNamespace")
    assert release.depends_on(namespaces[0])
    values = release.inputs["values"]
    for part in (values, values["webhook"], values["certController"]):
        assert "securityContext" not in part and "podSecurityContext" not in part


def test_no_value_of_a_secret_is_ever_in_a_recording(tenant):
    """Only names and ARNs: no Kubernetes Secret is declared and no ExternalSecret carries a template with data."""
    assert not tenant.of_type("kubernetes:core/v1:Secret")
    for external in readers(tenant):
        assert set(external.inputs["spec"]) == {"refreshInterval", "secretStoreRef", "target", "data"}


# --- bad input: a settings error naming the key, the value and what is allowed; nothing declared ----------------

SECRET = "DB_PASSWORD=secretsmanager:checkout/db#password"
BAD_TENANT_SECRETS = [
    ({"appAwsSecrets": ["DB_PASSWORD=secretsmanager:ledger/db"]}, "appAwsSecrets", "team checkout's own"),
    ({"appAwsSecrets": ["URL=ssm:/ledger/url"]}, "appAwsSecrets", "team checkout's own"),
    (
        {"appAwsSecrets": [f"DB=arn:aws:secretsmanager:us-east-1:{MOCK_ACCOUNT_ID}:secret:checkout/db-AbC123"]},
        "appAwsSecrets",
        "the stack's region ap-northeast-2",
    ),
    (
        {"appAwsSecrets": [f"DB=arn:aws:secretsmanager:ap-northeast-2:{OTHER_ACCOUNT}:secret:checkout/db-AbC123"]},
        "appAwsSecrets",
        f"the stack's own account {MOCK_ACCOUNT_ID}",
    ),
    ({"appAwsSecrets": ["DB=arn:aws:secretsmanager:ap-northeast-2:checkout/db"]}, "appAwsSecrets", "TARGET=SOURCE"),
    ({"appAwsSecrets": [SECRET, "DB_PASSWORD=secretsmanager:checkout/db2"]}, "appAwsSecrets", "one secret only"),
    ({"appAwsSecrets": [SECRET], "appEnv": ["DB_PASSWORD=x"]}, "appAwsSecrets", "one secret only"),
    (
        {"appAwsSecrets": ["/etc/db/p=secretsmanager:checkout/db", "/etc/db/p=ssm:/checkout/p"]},
        "appAwsSecrets",
        "one secret only",
    ),
    ({"appAwsSecrets": ["/etc/a/p=secretsmanager:checkout/db", "/etc/a/b/q=ssm:/checkout/q"]}, "appAwsSecrets", "do not nest"),
    ({"appAwsSecrets": ["/tmp/x/p=secretsmanager:checkout/db"]}, "appWritablePaths", "read-only mount"),
    ({"appAwsSecrets": [SECRET], "serviceAccount": ""}, "appAwsSecrets", "set serviceAccount too"),
    ({"appSecretsRefreshInterval": "30s"}, "appSecretsRefreshInterval", "from 1m to 168h"),
    ({"appSecretsRefreshInterval": "1d"}, "appSecretsRefreshInterval", "from 1m to 168h"),
    ({"appSecretsKmsKeyArn": "alias/checkout"}, "appSecretsKmsKeyArn", "a KMS key ARN"),
    (
        {"appSecretsKmsKeyArn": f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"},
        "appSecretsKmsKeyArn",
        "the stack's region",
    ),
    (
        {"appSecretsKmsKeyArn": f"arn:aws:kms:ap-northeast-2:{OTHER_ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"},
        "appSecretsKmsKeyArn",
        "own account",
    ),
]


@pytest.mark.parametrize(("overrides", "key", "allowed"), BAD_TENANT_SECRETS, ids=lambda v: str(v)[:50])
def test_a_bad_secret_setting_is_refused_before_anything_is_declared(overrides, key, allowed):
    recording = record("checkout-dev", overrides=overrides, project_dir=TENANT_PROJECT_DIR)
    assert isinstance(recording.error, SettingsError), recording.error
    assert recording.error.key == f"{TENANT}:{key}" and allowed in recording.error.allowed
    assert recording.resources == []


def test_the_platform_app_refuses_another_teams_secret_and_secrets_without_the_operator():
    recording = record("payments-dev", overrides={"appAwsSecrets": ["K=secretsmanager:checkout/db"]})
    assert isinstance(recording.error, SettingsError) and recording.error.key == f"{PLATFORM}:appAwsSecrets"
    assert "team payments's own" in recording.error.allowed and recording.resources == []
    off = record("payments-dev", overrides={"externalSecrets": False})
    assert isinstance(off.error, SettingsError) and off.error.key == f"{PLATFORM}:externalSecrets"
    assert off.resources == []


def test_an_arn_of_the_own_account_is_granted_exactly():
    arn = f"arn:aws:secretsmanager:ap-northeast-2:{MOCK_ACCOUNT_ID}:secret:checkout/db-AbC123"
    recording = record(
        "checkout-dev", overrides={"appAwsSecrets": [f"DB_PASSWORD={arn}#password"]}, project_dir=TENANT_PROJECT_DIR
    )
    assert recording.error is None
    (policy,) = recording.of_type(ROLE_POLICY)
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Resource"] == [arn] and fnmatch.fnmatchcase(arn, statement["Resource"][0])
    (external,) = readers(recording)
    assert external.inputs["spec"]["data"][0]["remoteRef"] == {"key": arn, "property": "password"}


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("SecretStore", lambda o: o["spec"]["provider"]["aws"].update(service="Vault")),
        ("SecretStore", lambda o: o["spec"]["provider"]["aws"]["auth"]["jwt"].update(serviceAccount={"name": "x"})),
        ("ExternalSecret", lambda o: o["spec"]["data"][0]["remoteRef"].update(name="x")),
        ("ExternalSecret", lambda o: o["spec"]["target"].update(creationPolicy="Adopt")),
    ],
)
def test_a_broken_store_or_external_secret_is_rejected_by_its_crds_schema(kind, change):
    """The v1 schemas of ESO 2.9.0 (tests/data/crds/) hold what the stacks declare, and refuse what they do not define."""
    manifest = copy.deepcopy(next(o for o in kubernetes_objects(tenant_recording("checkout-dev")) if o["kind"] == kind))
    kubernetes_schemas.validate(manifest, "1.35.0")
    change(manifest)
    with pytest.raises(jsonschema.ValidationError):
        kubernetes_schemas.validate(manifest, "1.35.0")
