from ipaddress import ip_network

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from satchel.config import SETTINGS_KEY, Settings, client_address


def request_from(remote: str, forwarded: str | None, trusted: tuple[str, ...]) -> web.Request:
    app = web.Application()
    app[SETTINGS_KEY] = Settings(trusted_proxies=tuple(ip_network(t) for t in trusted))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("GET", "/", headers=headers, app=app)
    return request.clone(remote=remote)


def test_without_trusted_proxies_the_peer_address_counts_and_forwarded_is_ignored():
    assert client_address(request_from("203.0.113.9", "198.51.100.1", ())) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_counts():
    request = request_from("10.0.0.2", "198.51.100.7, 203.0.113.5, 10.0.0.3", ("10.0.0.0/8",))
    assert client_address(request) == "203.0.113.5"


def test_an_untrusted_peer_cannot_choose_its_address_with_forwarded_for():
    request = request_from("203.0.113.5", "127.0.0.1", ("10.0.0.0/8",))
    assert client_address(request) == "203.0.113.5"
