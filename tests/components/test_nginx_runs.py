"""The walkthrough's hardened nginx configuration, run: Debian's nginx as UID 10101 with its
stdout and stderr a pipe owned by root, as a container runtime that does not hand PID 1 its stdio
leaves them (issue 16: `access_log /dev/stdout` then fails with EACCES and nginx exits).

The configuration and the container command are the ones the pods get (eksfargate/workload.py),
with /tmp moved to a directory of the test's own. Needs nginx (`apt-get install nginx-light`, as
.ci/run does) and root (to run nginx as another user); skipped with the reason otherwise.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from eksfargate.workload import NGINX_CONF, NGINX_PORT, NGINX_START, RUN_AS_ID

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="running nginx as UID 10101 needs root"),
    pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is not installed"),
]


@pytest.fixture
def workdir():
    """A directory UID 10101 can reach (pytest's tmp_path is under root's 0700 directory)."""
    path = Path(tempfile.mkdtemp(prefix="nginx-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path: Path, conf: str, command: str) -> tuple[subprocess.Popen, int]:
    """nginx as UID 10101, its stdout and stderr one pipe this (root) process made."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    os.chown(tmp, RUN_AS_ID, RUN_AS_ID)
    port = free_port()
    conf = conf.replace("/tmp/", f"{tmp}/").replace(f"listen {NGINX_PORT};", f"listen 127.0.0.1:{port};")
    conf_file = tmp_path / "nginx.conf"
    conf_file.write_text(conf)
    conf_file.chmod(0o644)
    command = command.replace("/tmp/", f"{tmp}/").replace("exec nginx ", f"exec {NGINX} -c {conf_file} ")
    process = subprocess.Popen(
        ["setpriv", f"--reuid={RUN_AS_ID}", f"--regid={RUN_AS_ID}", "--clear-groups", "/bin/sh", "-c", command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def get(port: int, path: str) -> int:
    for _ in range(50):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nginx never answered")


@pytest.mark.parametrize("path", ["/dev/stdout", "/dev/stderr"])
def test_opening_dev_stdout_or_stderr_fails_when_it_is_a_pipe_of_another_user(workdir, path):
    """What the issue saw, and why /dev/stderr is no way out: the configuration opens no output path."""
    conf = NGINX_CONF.replace("access_log /tmp/access.log;", f"access_log {path};")
    process, _ = start(workdir, conf, "exec nginx -g 'daemon off;'")
    output, _ = process.communicate(timeout=30)
    assert f'open() "{path}" failed (13: Permission denied)' in output


def test_the_hardened_configuration_serves_and_logs_through_a_pipe_of_another_user(workdir):
    process, port = start(workdir, NGINX_CONF, NGINX_START)
    try:
        assert get(port, "/") == 200
        assert get(port, "/no-such-page") == 404
    finally:
        time.sleep(0.3)
        process.send_signal(3)  # SIGQUIT: nginx's graceful shutdown
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert '"GET / HTTP/1.1" 200' in output  # the access log, through the FIFO and cat
    assert '"GET /no-such-page HTTP/1.1" 404' in output
    assert "[error]" in output  # the error log, nginx's own stderr
    written = {p.name for p in (workdir / "tmp").iterdir()}
    assert written <= {"nginx.pid", "access.log", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"}
