"""The URL check against real HTTP and HTTPS servers on 127.0.0.1: 200, 503 then 200 within the
retries, never 200, a timeout, and the redirect from plain HTTP to HTTPS."""

import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.tools.verify.fakes import serve
from verify.results import Status
from verify.run import until_settled
from verify.web import check_redirect, check_url, http_twin


class App:
    """A scripted web app: its answers by path, and the methods it saw."""

    def __init__(self) -> None:
        self.flaky_left = 2  # /flaky answers 503 this many times, then 200
        self.methods: list[str] = []
        self.https_url = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                app.methods.append(self.command)
                if self.path == "/slow":
                    time.sleep(1)
                if self.path == "/flaky" and app.flaky_left > 0:
                    app.flaky_left -= 1
                    return self._send(503)
                if self.path == "/down":
                    return self._send(503)
                if self.path == "/to-https":
                    return self._send(301, {"Location": app.https_url})
                if self.path == "/to-http":
                    return self._send(302, {"Location": "/"})
                return self._send(200)

            def _send(self, status: int, headers: dict[str, str] | None = None) -> None:
                body = b"<html>2048</html>"
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except BrokenPipeError:
                    pass  # /slow: the client gave up first

        return Handler


@pytest.fixture
def app():
    app = App()
    with serve(app.handler()) as url:
        yield app, url


@pytest.fixture
def https(app, certificate):
    key, cert, client = certificate
    server = ThreadingHTTPServer(("127.0.0.1", 0), app[0].handler())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", client
    server.shutdown()
    server.server_close()


def test_200_passes_and_only_gets_are_sent(app):
    state, url = app
    assert check_url(f"{url}/").status is Status.PASSED
    assert state.methods == ["GET"]


def test_503_then_200_passes_within_the_retries(app):
    state, url = app
    results = until_settled(lambda: [check_url(f"{url}/flaky")], wait=5, interval=0.01)
    assert results[0].status is Status.PASSED
    assert len(state.methods) == 3  # two 503s, then the 200


def test_never_200_fails_once_the_wait_is_up_naming_the_status(app):
    state, url = app
    started = time.monotonic()
    results = until_settled(lambda: [check_url(f"{url}/down")], wait=0.3, interval=0.05)
    assert results[0].status is Status.FAILED and results[0].found == "HTTP 503"
    assert time.monotonic() - started < 3
    assert 2 <= len(state.methods) <= 10  # retried, and bounded


def test_a_server_that_does_not_answer_in_time_fails(app):
    _, url = app
    result = check_url(f"{url}/slow", timeout=0.2)
    assert result.status is Status.FAILED and "no answer" in result.found


def test_nothing_listening_fails():
    with serve(BaseHTTPRequestHandler) as url:
        pass
    assert check_url(url).status is Status.FAILED


def test_https_with_a_trusted_certificate_passes_and_an_untrusted_one_fails(https):
    url, client = https
    assert check_url(f"{url}/", client).status is Status.PASSED
    untrusted = check_url(f"{url}/")  # the system's store does not hold the test's certificate
    assert untrusted.status is Status.FAILED and "CERTIFICATE" in untrusted.found.upper()


def test_https_redirected_off_https_fails(https, app):
    url, client = https
    state, plain = app
    result = check_url(f"{url}/to-http", client)
    assert result.status is Status.PASSED  # a relative redirect stays on HTTPS
    state.https_url = f"{plain}/"
    assert check_url(f"{url}/to-https", client).status is Status.FAILED  # the "to-https" path points at plain HTTP here


def test_plain_http_redirecting_to_https_passes_and_serving_plain_http_fails(app, https):
    state, url = app
    state.https_url = f"{https[0]}/"
    passed = check_redirect(f"{url}/to-https")
    assert passed.status is Status.PASSED and passed.found.startswith("HTTP 301 to https://")
    served = check_redirect(f"{url}/")
    assert served.status is Status.FAILED and served.found == "HTTP 200"


def test_the_http_twin_is_port_80_of_the_same_host_and_path():
    assert http_twin("https://checkout.apps.example.com") == "http://checkout.apps.example.com/"
    assert http_twin("https://checkout.apps.example.com:8443/x?y=1") == "http://checkout.apps.example.com/x?y=1"
