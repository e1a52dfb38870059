"""What the verify tests share: a self-signed certificate for 127.0.0.1, and one botocore data loader."""

import functools
import shutil
import ssl
import subprocess

import botocore.loaders
import botocore.session
import pytest


@pytest.fixture(scope="session", autouse=True)
def one_botocore_data_loader():
    """Every boto3 session of the test session (python -m verify makes one a run) reads botocore's data
    through one loader, which keeps what it parsed: the endpoints and each service model (megabytes of
    JSON) are parsed once, not once a client. The files are only read."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", functools.cache(botocore.loaders.create_loader))
        yield


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl), and a client context that trusts only it."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (it makes the test certificate)")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    client = ssl.create_default_context(cafile=str(cert))
    return key, cert, client
