"""`python -m verify` only reads: no call in its source names a write verb of the Kubernetes client,
of boto3 or of HTTP, and every HTTP request the tests saw it make was a GET (test_cluster.py, test_web.py)."""

import ast
import re
from pathlib import Path

import verify

SOURCE = Path(verify.__file__).parent
# The verbs of the Kubernetes client's and boto3's methods that change something (create_namespaced_pod,
# patch_node, delete_collection_…, put_metric_alarm, set_alarm_state, tag_resource, …).
WRITE = re.compile(
    r"^(create|patch|replace|delete|put|update|set|tag|untag|start|stop|enable|disable|associate|disassociate|"
    r"attach|detach|register|deregister|modify|restore|reboot|terminate|run|invoke|post|send|publish)_"
)


def attributes() -> list[tuple[str, str]]:
    """Every attribute named in the tool's source (a client method is named even where it is passed, not called)."""
    found = []
    for path in sorted(SOURCE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                found.append((path.name, node.attr))
    return found


def test_no_attribute_names_a_write_verb():
    assert [(file, name) for file, name in attributes() if WRITE.match(name)] == []


def test_the_client_calls_are_the_documented_reads():
    reads = {name for _, name in attributes() if re.match(r"^(list|describe|filter)_", name)}
    assert reads == {
        "list_node", "list_pod_for_all_namespaces", "list_namespaced_pod", "list_deployment_for_all_namespaces",
        "list_namespaced_deployment", "list_ingress_for_all_namespaces", "list_namespaced_ingress",
        "list_horizontal_pod_autoscaler_for_all_namespaces", "list_namespaced_horizontal_pod_autoscaler",
        "describe_log_streams", "filter_log_events", "describe_alarms",
    }  # fmt: skip


def test_http_requests_are_gets():
    source = (SOURCE / "web.py").read_text()
    assert re.findall(r'method="([A-Z]+)"', source) == ["GET"]
