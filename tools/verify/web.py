"""The URL check: one GET, its answer 200; with HTTPS, port 80 redirects there.

The ALB answers a request only once it is active and a target is healthy, minutes after the
Ingress gets its address, so the caller repeats the check until its deadline (verify/run.py).
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from verify.results import Result, failed, passed

URL_EXPECTED = "HTTP 200"
REDIRECT_EXPECTED = "a redirect to HTTPS"
REQUEST_TIMEOUT = 10
USER_AGENT = "eks-fargate-verify"
REDIRECTS = (301, 302, 303, 307, 308)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str, context: ssl.SSLContext | None, follow: bool, timeout: float) -> tuple[int, str]:
    """(status, Location header or the final URL); raises OSError when nothing answers."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=context)]
    if not follow:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.geturl()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def http_twin(url: str) -> str:
    """The same host and path on plain HTTP, port 80: what the ALB's ssl-redirect answers."""
    parts = urlsplit(url)
    return urlunsplit(("http", parts.hostname or "", parts.path or "/", parts.query, ""))


def check_url(url: str | None, context: ssl.SSLContext | None = None, timeout: float = REQUEST_TIMEOUT) -> Result:
    check = "url"
    if not url:
        return failed(check, URL_EXPECTED, "no URL output (the stack serves no app)")
    check = f"url {url}"
    try:
        status, final = _get(url, context, follow=True, timeout=timeout)
    except (OSError, ssl.SSLError) as error:
        return failed(check, URL_EXPECTED, f"no answer: {type(error).__name__}: {error}")
    if status != 200:
        return failed(check, URL_EXPECTED, f"HTTP {status}")
    if urlsplit(url).scheme == "https" and urlsplit(final).scheme != "https":
        return failed(check, URL_EXPECTED, f"HTTP 200, but redirected off HTTPS to {final}")
    return passed(check, URL_EXPECTED, "HTTP 200")


def check_redirect(http_url: str, timeout: float = REQUEST_TIMEOUT) -> Result:
    check = f"redirect {http_url}"
    try:
        status, location = _get(http_url, None, follow=False, timeout=timeout)
    except OSError as error:
        return failed(check, REDIRECT_EXPECTED, f"no answer: {type(error).__name__}: {error}")
    if status in REDIRECTS and location.startswith("https://"):
        return passed(check, REDIRECT_EXPECTED, f"HTTP {status} to {location}")
    return failed(check, REDIRECT_EXPECTED, f"HTTP {status}" + (f" to {location}" if status in REDIRECTS else ""))
