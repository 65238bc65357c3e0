"""Configuration from environment variables: every setting Satchel reads is named here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from pathlib import Path

from aiohttp import web

from satchel.contexts import add_context_folder
from satchel.errors import SatchelError
from satchel.fetcher import FetchPolicy

ENV_VARS = (
    "SATCHEL_HOST",
    "SATCHEL_PORT",
    "SATCHEL_DATA_DIR",
    "SATCHEL_CONTEXTS_DIR",
    "SATCHEL_FETCH_ALLOW_HOSTS",
    "SATCHEL_FETCH_RESOLVE",
    "SATCHEL_LOG_LEVEL",
    "SATCHEL_MAX_BODY_BYTES",
    "SATCHEL_RATE_LIMIT",
    "SATCHEL_MAX_CONCURRENT_VERIFICATIONS",
    "SATCHEL_VERIFICATION_QUEUE_SECONDS",
    "SATCHEL_ISSUER_KEY_FILE",
    "SATCHEL_ISSUER_SUITE",
    "SATCHEL_DATABASE_URL",
    "SATCHEL_SECRET_KEY_FILE",
    "SATCHEL_SMTP_URL",
    "SATCHEL_MAIL_FROM",
    "SATCHEL_PUBLIC_URL",
    "SATCHEL_TRUSTED_PROXIES",
)

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_RATE_LIMIT = 120
DEFAULT_QUEUE_SECONDS = 2.0
DEFAULT_ISSUER_SUITE = "eddsa-rdfc-2022"


class ConfigError(SatchelError):
    """An environment variable holds a value Satchel cannot use."""

    type = "invalid-configuration"
    title = "Invalid configuration"


def _default_max_concurrent() -> int:
    return 4 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """``rate_limit`` is requests a minute per client address (0: no limit);
    ``issuer_key_file`` unset means a key generated once under ``data_dir``."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("var")
    contexts_dir: Path | None = None
    log_level: str = "INFO"
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rate_limit: int = DEFAULT_RATE_LIMIT
    max_concurrent_verifications: int = field(default_factory=_default_max_concurrent)
    verification_queue_seconds: float = DEFAULT_QUEUE_SECONDS
    issuer_key_file: Path | None = None
    issuer_suite: str = DEFAULT_ISSUER_SUITE
    database_url: str | None = None
    secret_key_file: Path | None = None
    smtp_url: str | None = None
    mail_from: str = "Satchel <no-reply@satchel.invalid>"
    public_url: str | None = None
    # Networks of reverse proxies whose X-Forwarded-For is believed (rate limits per client).
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()

    @property
    def base_url(self) -> str:
        """The address people reach this instance at, for links in mail and QR codes."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def kek_file(self) -> Path:
        return self.secret_key_file or self.data_dir / "secret.key"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        contexts = env.get("SATCHEL_CONTEXTS_DIR")
        key_file = env.get("SATCHEL_ISSUER_KEY_FILE")
        secret_key_file = env.get("SATCHEL_SECRET_KEY_FILE")
        return cls(
            database_url=env.get("SATCHEL_DATABASE_URL") or None,
            secret_key_file=Path(secret_key_file) if secret_key_file else None,
            smtp_url=env.get("SATCHEL_SMTP_URL") or None,
            mail_from=env.get("SATCHEL_MAIL_FROM", cls.mail_from),
            public_url=env.get("SATCHEL_PUBLIC_URL") or None,
            trusted_proxies=_networks(env, "SATCHEL_TRUSTED_PROXIES"),
            host=env.get("SATCHEL_HOST", cls.host),
            port=_int(env, "SATCHEL_PORT", cls.port),
            data_dir=Path(env.get("SATCHEL_DATA_DIR", str(cls.data_dir))),
            contexts_dir=Path(contexts) if contexts else None,
            log_level=env.get("SATCHEL_LOG_LEVEL", cls.log_level).upper(),
            fetch_policy=FetchPolicy.from_env(env),
            max_body_bytes=_int(env, "SATCHEL_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1),
            rate_limit=_int(env, "SATCHEL_RATE_LIMIT", DEFAULT_RATE_LIMIT, 0),
            max_concurrent_verifications=_int(
                env, "SATCHEL_MAX_CONCURRENT_VERIFICATIONS", _default_max_concurrent(), 1
            ),
            verification_queue_seconds=_float(
                env, "SATCHEL_VERIFICATION_QUEUE_SECONDS", DEFAULT_QUEUE_SECONDS
            ),
            issuer_key_file=Path(key_file) if key_file else None,
            issuer_suite=env.get("SATCHEL_ISSUER_SUITE", DEFAULT_ISSUER_SUITE),
        )


def _networks(env: Mapping[str, str], name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for part in env.get(name, "").split(","):
        if part.strip():
            try:
                networks.append(ip_network(part.strip(), strict=False))
            except ValueError:
                raise ConfigError(
                    f"{name}: {part.strip()!r} is not an address or network"
                ) from None
    return tuple(networks)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {text!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {text!r}") from None
    if not value >= 0:  # also refuses NaN
        raise ConfigError(f"{name} must not be negative, not {text!r}")
    return value


def apply_operator_contexts(settings: Settings) -> list[str]:
    """Register the operator's extra JSON-LD contexts (``SATCHEL_CONTEXTS_DIR``), if any."""
    return add_context_folder(settings.contexts_dir) if settings.contexts_dir else []


SETTINGS_KEY = web.AppKey("settings", Settings)


def client_address(request: web.Request) -> str:
    """The caller's address, for per-client limits.

    ``request.remote``, unless that is a trusted reverse proxy: then the nearest address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (further left can be forged).
    """
    remote = request.remote or "unknown"
    settings = request.config_dict.get(SETTINGS_KEY)
    if settings is None or not settings.trusted_proxies or not _trusted(remote, settings):
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, settings):
            return hop
    return remote


def _trusted(address: str, settings: Settings) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.trusted_proxies)
