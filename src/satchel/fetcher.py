"""The one guarded outbound HTTP fetcher: every request Satchel makes to the network uses it.

did:web documents, status lists, hosted OB 2.0 assertions, remote images and other backpacks
are all fetched with :class:`GuardedFetcher`, which enforces, on every hop:

- https only; plain http only for hosts the operator allows;
- no private, loopback, link-local, multicast, reserved or unspecified address (nor an IPv6
  form embedding one), unless the host is allowed; every resolved address must pass;
- the connection goes to the address that was checked (no second DNS lookup, so a DNS answer
  that changes between check and connect cannot steer us to an internal address);
- redirects are followed by hand and each hop is checked again;
- a byte cap enforced while streaming, one time limit for all hops, a small TTL cache;
- no cookies, no proxy from the environment, user agent ``Satchel/<version>``.

Operator/test feature, like ``curl --resolve``: :attr:`FetchPolicy.resolve_overrides` maps a
host (or ``host:port``) to an ``(ip, port)`` pair that replaces DNS for it. When that host is
also in ``allow_hosts`` the request goes over **plain http** to ``ip:port`` with the original
``Host`` header, so ``https://issuer.example/...`` can be served by a local test server. For a
host that is not allowed, the override only stands in for DNS and the address is still checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
import socket
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from satchel import __version__
from satchel.errors import SatchelError
from satchel.inflate import InflateError, InflateFailure, inflate

USER_AGENT = f"Satchel/{__version__}"
DEFAULT_MAX_BYTES = 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_CACHE_TTL_SECONDS = 60.0
DEFAULT_CACHE_SIZE = 256
ENV_ALLOW_HOSTS = "SATCHEL_FETCH_ALLOW_HOSTS"
ENV_RESOLVE = "SATCHEL_FETCH_RESOLVE"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_SIZE = 16 * 1024
# A host whose last label is numeric is an IPv4 address to URL parsers and to inet_aton
# ("2130706433", "0x7f.1", "127.1", "0177.0.0.1"); only the canonical dotted quad is accepted.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


# --- errors -------------------------------------------------------------------------------


class FetchError(SatchelError):
    """A remote resource could not be fetched; ``url`` is the URL that failed."""

    type = "fetch-error"
    title = "Remote fetch failed"
    status = 502

    def __init__(self, url: str | URL, reason: str) -> None:
        super().__init__(f"cannot fetch {url}: {reason}")
        self.url = str(url)
        self.reason = reason


class ForbiddenAddressError(FetchError):
    type = "fetch-forbidden-address"
    title = "Address not allowed"
    status = 400


class SchemeNotAllowedError(FetchError):
    type = "fetch-scheme-not-allowed"
    title = "URL scheme not allowed"
    status = 400


class ResponseTooLargeError(FetchError):
    type = "fetch-response-too-large"
    title = "Remote response too large"


class FetchTimeoutError(FetchError):
    type = "fetch-timeout"
    title = "Remote fetch timed out"
    status = 504


class TooManyRedirectsError(FetchError):
    type = "fetch-too-many-redirects"
    title = "Too many redirects"


class HttpStatusError(FetchError):
    """The final response was not 2xx.

    The remote status is ``upstream_status``: ``status`` stays the HTTP status *we* answer with
    (502), which the problem-details mapper reads.
    """

    type = "fetch-http-status"
    title = "Remote server answered with an error"

    def __init__(self, url: str | URL, upstream_status: int) -> None:
        super().__init__(url, f"remote server answered HTTP {upstream_status}")
        self.upstream_status = upstream_status


class InvalidJsonError(FetchError):
    type = "fetch-invalid-json"
    title = "Remote response is not JSON"


# --- policy -------------------------------------------------------------------------------


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _normalise_host_entry(entry: str) -> str:
    entry = entry.strip().lower()
    if entry.startswith("[") and entry.endswith("]"):
        return entry[1:-1]  # "[::1]" means the bare IPv6 host
    return entry


def _parse_resolve_entry(entry: str) -> tuple[str, tuple[str, int]]:
    host, sep, target = entry.partition("=")
    ip_text, _, port_text = target.strip().rpartition(":")
    try:
        ip = ipaddress.ip_address(ip_text.strip("[]"))
        port = int(port_text)
    except ValueError:
        ip, port = None, 0
    if not sep or not host.strip() or ip is None or not 0 < port < 65536:
        raise ValueError(f"{ENV_RESOLVE} entry {entry!r} is not host=ip:port")
    return _normalise_host_entry(host), (str(ip), port)


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher may do.

    ``allow_hosts`` entries are ``host`` (any port) or ``host:port``, in ASCII (punycode) form;
    ``[v6]`` and ``[v6]:port`` for IPv6 literals.
    """

    allow_hosts: frozenset[str] = frozenset()
    resolve_overrides: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    cache_ttl: float = DEFAULT_CACHE_TTL_SECONDS
    cache_size: int = DEFAULT_CACHE_SIZE

    def __post_init__(self) -> None:
        allow = frozenset(_normalise_host_entry(h) for h in self.allow_hosts if h.strip())
        overrides = {_normalise_host_entry(h): v for h, v in self.resolve_overrides.items()}
        object.__setattr__(self, "allow_hosts", allow)
        object.__setattr__(self, "resolve_overrides", overrides)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FetchPolicy:
        """Read ``SATCHEL_FETCH_ALLOW_HOSTS`` (``host[:port],...``) and ``SATCHEL_FETCH_RESOLVE``
        (``host=ip:port,...``, the operator/test pin described in the module docstring)."""
        env = os.environ if environ is None else environ
        allow = [h for h in env.get(ENV_ALLOW_HOSTS, "").split(",") if h.strip()]
        overrides = dict(
            _parse_resolve_entry(e) for e in env.get(ENV_RESOLVE, "").split(",") if e.strip()
        )
        return cls(allow_hosts=frozenset(allow), resolve_overrides=overrides)

    def is_allowed(self, host: str, port: int) -> bool:
        return host in self.allow_hosts or _authority(host, port) in self.allow_hosts

    def override_for(self, host: str, port: int) -> tuple[str, int] | None:
        found = self.resolve_overrides.get(_authority(host, port))
        return found if found is not None else self.resolve_overrides.get(host)


# --- address checks -----------------------------------------------------------------------

_FORBIDDEN_FLAGS = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = forbidden_reason(embedded)
            if reason is not None:
                return f"{reason} (embedded in {ip})"
            if ip.ipv4_mapped is not None:
                return None  # ::ffff:a.b.c.d is the IPv4 host itself
    for flag, name in _FORBIDDEN_FLAGS:
        if getattr(ip, flag):
            return f"{name} address {ip}"
    if not ip.is_global:
        return f"non-global address {ip}"
    return None


def _literal_ip(host: str, url: URL) -> IPAddress | None:
    """The IP a host names literally, None for a DNS name; refuses non-canonical numeric forms."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        raise ForbiddenAddressError(
            url, f"host {host!r} is a non-canonical numeric address (decimal, octal or short IPv4)"
        )
    return None


# --- responses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResponse:
    """A complete response: ``url`` is the final URL after redirects."""

    url: str
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError) as exc:
            raise InvalidJsonError(self.url, f"body is not valid JSON ({exc})") from exc


@dataclass(frozen=True)
class _Target:
    """Where one hop actually connects: a pinned IP URL plus the original Host and TLS name."""

    url: URL
    host_header: str
    server_hostname: str | None


# --- the fetcher --------------------------------------------------------------------------


class GuardedFetcher:
    """Guarded async GET with a TTL cache.

    The aiohttp session is created on first use inside the running loop, so use one fetcher per
    event loop and ``await close()`` it (or ``async with``) before that loop ends.
    """

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._session: aiohttp.ClientSession | None = None
        self._cache: OrderedDict[tuple[str, str | None], tuple[float, FetchResponse]] = (
            OrderedDict()
        )

    async def __aenter__(self) -> GuardedFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self,
        url: str,
        *,
        max_bytes: int | None = None,
        accept: str | None = None,
        fresh: bool = False,
    ) -> FetchResponse:
        """GET ``url`` under the policy; raises a :class:`FetchError` subclass on any refusal.

        ``fresh`` skips the cache (a caller with its own freshness rules, e.g. status lists).
        """
        cap = self.policy.max_bytes if max_bytes is None else max_bytes
        key = (url, accept)
        cached = None if fresh else self._cache_get(key)
        if cached is not None:
            if len(cached.body) > cap:
                raise ResponseTooLargeError(url, f"body exceeds the {cap}-byte cap")
            return cached
        try:
            async with asyncio.timeout(self.policy.timeout):
                response = await self._follow(url, accept, cap)
        except TimeoutError as exc:
            raise FetchTimeoutError(
                url, f"no complete response within {self.policy.timeout} s"
            ) from exc
        self._cache_put(key, response)
        return response

    # -- redirects and hops

    async def _follow(self, url: str, accept: str | None, cap: int) -> FetchResponse:
        try:
            current = URL(url)
        except (ValueError, TypeError) as exc:
            raise FetchError(url, f"invalid URL ({exc})") from exc
        for _ in range(self.policy.max_redirects + 1):
            status, headers, body = await self._hop(current, accept, cap)
            if status not in _REDIRECT_STATUSES:
                return FetchResponse(url=str(current), status=status, headers=headers, body=body)
            current = _redirect_target(current, status, headers)
        raise TooManyRedirectsError(url, f"more than {self.policy.max_redirects} redirects")

    async def _hop(
        self, url: URL, accept: str | None, cap: int
    ) -> tuple[int, CIMultiDictProxy[str], bytes]:
        last_error: Exception | None = None
        for target in await self._targets(url):
            try:
                return await self._request(url, target, accept, cap)
            except aiohttp.ClientConnectorError as exc:
                last_error = exc  # try the next checked address
            except aiohttp.ClientError as exc:
                raise FetchError(url, f"HTTP error ({exc})") from exc
        raise FetchError(url, f"cannot connect ({last_error})")

    async def _request(
        self, url: URL, target: _Target, accept: str | None, cap: int
    ) -> tuple[int, CIMultiDictProxy[str], bytes]:
        headers = {"Host": target.host_header}
        if accept:
            headers["Accept"] = accept
        async with self._session_in_loop().get(
            target.url,
            headers=headers,
            allow_redirects=False,
            server_hostname=target.server_hostname,
        ) as resp:
            copied = CIMultiDictProxy(CIMultiDict(resp.headers))
            if resp.status in _REDIRECT_STATUSES:
                return resp.status, copied, b""
            if not 200 <= resp.status < 300:
                raise HttpStatusError(url, resp.status)
            body = await _read_capped(resp, url, cap)
            return resp.status, copied, _decode_body(body, copied, url, cap)

    # -- checks

    def _check_url(self, url: URL) -> tuple[str, int, bool]:
        scheme = url.scheme.lower()
        if scheme not in ("http", "https"):
            raise SchemeNotAllowedError(url, f"scheme {scheme or '(none)'!r} is not allowed")
        if not url.raw_host or url.port is None:
            raise FetchError(url, "URL has no host")
        if url.user is not None or url.password is not None:
            raise FetchError(url, "credentials in URLs are not allowed")
        # the ASCII (punycode) form: what DNS sees, and how allow_hosts entries are written
        host = url.raw_host.lower().rstrip(".")
        allowed = self.policy.is_allowed(host, url.port)
        if scheme == "http" and not allowed:
            raise SchemeNotAllowedError(url, f"plain http is not allowed for host {host}")
        return host, url.port, allowed

    async def _targets(self, url: URL) -> list[_Target]:
        """The checked addresses one hop may connect to, refusing before any connection."""
        host, port, allowed = self._check_url(url)
        host_header = url.raw_authority
        override = self.policy.override_for(host, port)
        if allowed and override is not None:
            # operator/test pin: plain http to the given address, original Host header
            pinned = url.with_scheme("http").with_host(override[0]).with_port(override[1])
            return [_Target(pinned, host_header, None)]
        if override is not None:
            addresses, port = [ipaddress.ip_address(override[0])], override[1]
        else:
            literal = _literal_ip(host, url)
            addresses = [literal] if literal is not None else await _resolve(url, host, port)
        if not allowed:
            for address in addresses:
                reason = forbidden_reason(address)
                if reason is not None:
                    raise ForbiddenAddressError(url, f"host {host} is a {reason}")
        tls_name = host if url.scheme.lower() == "https" else None
        return [
            _Target(url.with_host(str(a)).with_port(port), host_header, tls_name) for a in addresses
        ]

    # -- session and cache

    def _session_in_loop(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # force_close: no pooled connection outlives the check made for its request
                connector=aiohttp.TCPConnector(force_close=True, use_dns_cache=False),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                # we count and cap decoded bytes ourselves (see _decode_body)
                auto_decompress=False,
                timeout=aiohttp.ClientTimeout(total=None),
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            )
        return self._session

    def _cache_get(self, key: tuple[str, str | None]) -> FetchResponse | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return entry[1]

    def _cache_put(self, key: tuple[str, str | None], response: FetchResponse) -> None:
        ttl = min(self.policy.cache_ttl, _max_age(response.headers.get("Cache-Control", "")))
        if ttl <= 0 or self.policy.cache_size <= 0:
            return
        self._cache[key] = (time.monotonic() + ttl, response)
        self._cache.move_to_end(key)
        while len(self._cache) > self.policy.cache_size:
            self._cache.popitem(last=False)


# --- helpers ------------------------------------------------------------------------------


async def _resolve(url: URL, host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(url, f"cannot resolve host {host} ({exc})") from exc
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(url, f"host {host} has no address")
    return addresses


def _redirect_target(current: URL, status: int, headers: CIMultiDictProxy[str]) -> URL:
    location = headers.get("Location")
    if not location:
        raise FetchError(current, f"redirect {status} without a Location header")
    try:
        return current.join(URL(location)).with_fragment(None)
    except (ValueError, TypeError) as exc:
        raise FetchError(current, f"invalid redirect Location {location!r} ({exc})") from exc


async def _read_capped(resp: aiohttp.ClientResponse, url: URL, cap: int) -> bytes:
    declared = resp.content_length
    if declared is not None and declared > cap:
        raise ResponseTooLargeError(url, f"Content-Length {declared} exceeds the {cap}-byte cap")
    body = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK_SIZE):
        body += chunk
        if len(body) > cap:
            raise ResponseTooLargeError(url, f"body exceeds the {cap}-byte cap")
    return bytes(body)


def _decode_body(body: bytes, headers: CIMultiDictProxy[str], url: URL, cap: int) -> bytes:
    """Undo a Content-Encoding the server used despite ``identity``, capping decoded size."""
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
    # wbits 47 auto-detects gzip/zlib headers; deflate without a header needs raw (-15)
    wbits = 47 if encoding != "deflate" or body[:1] == b"\x78" else -15
    try:
        # A body cut short decodes to what arrived, as browsers do; only size and damage count.
        return inflate(body, max_bytes=cap, wbits=wbits, require_end=False)
    except InflateError as exc:
        if exc.failure is InflateFailure.TOO_LARGE:
            raise ResponseTooLargeError(url, f"decoded body exceeds the {cap}-byte cap") from exc
        raise FetchError(url, f"cannot decode {encoding} body ({exc})") from exc


def _max_age(cache_control: str) -> float:
    """Seconds a response may be reused: 0 for no-store / no-cache, max-age when given."""
    directives = [d.strip().lower() for d in cache_control.split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    for directive in directives:
        name, _, value = directive.partition("=")
        if name == "max-age":
            try:
                return max(0.0, float(value.strip('"')))
            except ValueError:
                return 0.0
    return float("inf")
