"""Where a webhook may be sent, and sending it (the standard library only: one POST, no redirects).

The guard against server-side request forgery (docs/webhooks.md, "Where Safecase will send"):
a URL must be ``https://`` and its host must resolve only to public addresses. Hosts listed in
``SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS`` are the exception (a receiver on the same machine or the
internal network, and the tests' receiver on 127.0.0.1): for them ``http://`` is allowed and the
address is not checked. The check runs when the endpoint is saved (the URL's form, and a literal
address) and again on every attempt (the name is resolved then, and the request is sent to the
address that was checked, so a name that changes its answer between the check and the
connection cannot redirect it). ``.invalid`` names never resolve (RFC 6761): they fail at once.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from safecase.core.errors import DomainError

MAX_URL_LENGTH = 500
RESPONSE_EXCERPT_CHARS = 200
USER_AGENT = "Safecase-Webhooks/1"


class EgressRefused(Exception):  # noqa: N818 - reads as a sentence: "raise EgressRefused"
    """This URL may not be called now; the message is safe to store and show."""


def allowed_http_hosts() -> frozenset[str]:
    hosts = getattr(settings, "SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS", ()) or ()
    return frozenset(h.strip().lower() for h in hosts if h.strip())


def timeout_seconds() -> float:
    return float(getattr(settings, "SAFECASE_WEBHOOK_TIMEOUT_SECONDS", 5))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    """Refuse (DomainError on the ``url`` field) a URL no endpoint may have."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise DomainError(f"Enter a URL of up to {MAX_URL_LENGTH} characters.", field="url")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise DomainError(
            "Enter a valid URL, e.g. https://example.org/hooks.", field="url"
        ) from exc
    if parts.scheme not in ("https", "http") or not host:
        raise DomainError("Enter a valid URL, e.g. https://example.org/hooks.", field="url")
    if parts.username or parts.password:
        raise DomainError("Leave user names and passwords out of the URL.", field="url")
    if parts.fragment:
        raise DomainError("Leave the #fragment out of the URL.", field="url")
    allowed = host in allowed_http_hosts()
    if parts.scheme != "https" and not allowed:
        raise DomainError("The URL must start with https:// (see docs/webhooks.md).", field="url")
    if not allowed:
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            if host == "localhost" or host.endswith(".localhost"):
                raise DomainError(
                    "Webhooks are not sent to this machine's own addresses.", field="url"
                ) from None
            return
        if not _is_public(str(literal)):
            raise DomainError(
                "Webhooks are not sent to private, loopback or reserved addresses.", field="url"
            )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve(url: str) -> Target:
    """The checked address to send to, or EgressRefused saying why not."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = host in allowed_http_hosts()
    if parts.scheme != "https" and not (parts.scheme == "http" and allowed):
        raise EgressRefused("refused: only https:// URLs are called")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if host == "invalid" or host.endswith(".invalid"):
        raise EgressRefused("host does not resolve (.invalid names never do)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise EgressRefused("host does not resolve") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise EgressRefused("host does not resolve")
    if not allowed and not all(_is_public(a) for a in addresses):
        raise EgressRefused("refused: the host resolves to a private or reserved address")
    return Target(parts.scheme, host, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate verified for the URL's host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str
    excerpt: str = ""


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST once; never follows a redirect (a 3xx is a failure like any other non-2xx)."""
    try:
        target = resolve(url)
    except EgressRefused as exc:
        return Answer(None, str(exc))
    timeout = timeout_seconds()
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout)
        if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        response = connection.getresponse()
        raw = response.read(RESPONSE_EXCERPT_CHARS * 4)
        excerpt = raw.decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]
        if 200 <= response.status < 300:
            return Answer(response.status, "")
        return Answer(response.status, f"HTTP {response.status}", excerpt)
    except TimeoutError:
        return Answer(None, f"timed out after {timeout:g} s")
    except ConnectionRefusedError:
        return Answer(None, "connection refused")
    except ssl.SSLError as exc:
        return Answer(None, f"TLS failed: {exc.reason or 'handshake error'}"[:120])
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"connection failed: {type(exc).__name__}")
    finally:
        connection.close()
