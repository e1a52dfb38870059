"""The URL check against Debian's nginx on 127.0.0.1, as CI installs it (.ci/run: nginx-light): a page
that answers 200, one that answers 503, and plain HTTP redirecting to HTTPS, as the ALB's ssl-redirect
does. Skipped, with the reason, where nginx is absent or the test is not root (nginx's master binds
and reads the key as root); tests/tools/verify/test_web.py covers the same with Python's server."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from verify.results import Status
from verify.web import check_redirect, check_url

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="nginx's master process here runs as root"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(tmp_path, certificate):
    key, cert, client = certificate
    plain, redirecting, tls = free_port(), free_port(), free_port()
    temp = "".join(f"    {name}_temp_path {tmp_path}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
{temp}
    server {{
        listen 127.0.0.1:{plain};
        location = / {{ return 200 "2048\\n"; }}
        location = /down {{ return 503; }}
    }}
    server {{
        listen 127.0.0.1:{redirecting};
        return 301 https://127.0.0.1:{tls}$request_uri;
    }}
    server {{
        listen 127.0.0.1:{tls} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{ return 200 "2048\\n"; }}
    }}
}}
""")
    process = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", tls)) == 0:
                    break
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else "nginx exited"
            time.sleep(0.05)
        yield plain, redirecting, tls, client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_200_passes_and_503_fails(nginx):
    plain, _, _, _ = nginx
    assert check_url(f"http://127.0.0.1:{plain}/").status is Status.PASSED
    down = check_url(f"http://127.0.0.1:{plain}/down")
    assert down.status is Status.FAILED and down.found == "HTTP 503"


def test_plain_http_redirects_to_https_which_answers_200(nginx):
    _, redirecting, tls, client = nginx
    redirect = check_redirect(f"http://127.0.0.1:{redirecting}/")
    assert redirect.status is Status.PASSED and redirect.found == f"HTTP 301 to https://127.0.0.1:{tls}/"
    assert check_url(f"https://127.0.0.1:{tls}/", client).status is Status.PASSED
    assert check_redirect(f"http://127.0.0.1:{nginx[0]}/").status is Status.FAILED  # serves plain HTTP
