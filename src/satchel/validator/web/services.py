"""App-level services shared by the VC-API (``api.py``) and the HTML pages (``pages.py``).

Stable API (other modules rely on it; extend, do not rename):

- :data:`VERIFIER_KEY` ``web.AppKey[Verifier]``: the ONE :class:`Verifier` of the application,
  holding the ONE :class:`GuardedFetcher` (policy: ``Settings.fetch_policy``). Both are created
  inside the running loop at startup and the fetcher is closed on shutdown, so the key exists
  only while the app runs (in handlers, not in ``create_app``). Use :func:`verifier_of`.
- :data:`LIMITS_KEY` ``web.AppKey[Limits]`` (defined in ``limits.py``): body cap, per-client
  rate limit, concurrent-verification bound. Use :func:`limits_of`, the :func:`limited` handler
  decorator (rate limit + one verification slot around the handler), or
  ``limits.check_rate(request)`` and ``async with limits.verification_slot():`` directly.
  Raised limit errors become 413/429/503 problem details with ``Retry-After`` in
  ``limits_middleware`` (installed by ``create_app``), except for handlers marked
  ``handler.renders_limit_errors = True``, which the middleware leaves alone entirely (no
  Content-Length pre-check either): they call ``check_body_size`` and render errors themselves.
- :data:`ISSUER_KEY` ``web.AppKey[InstanceIssuer]``: the instance signing key used by
  ``POST /credentials/issue`` (loaded from ``SATCHEL_ISSUER_KEY_FILE``, or generated once and
  kept in ``<data_dir>/issuer-key.jwk`` with mode 0600). Use :func:`issuer_of`.
- :func:`setup_services` ``(app, settings)``: called once by ``create_app``; installs all of
  the above. All lookups go through ``request.config_dict``, so they work from sub-apps too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from satchel.config import ConfigError, Settings
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.jwk import private_key_from_jwk, private_key_to_jwk
from satchel.did.keys import InvalidKeyError, KeyType, PrivateKey, generate_private_key
from satchel.fetcher import GuardedFetcher
from satchel.private_files import create_private_file
from satchel.validator.engine import Verifier
from satchel.validator.proofs.suites import SUITES, suite_by_name
from satchel.validator.web.limits import (
    LIMITS_KEY,
    Limits,
    LimitSettings,
    limited,
    limits_of,
)

__all__ = [
    "ISSUER_KEY",
    "LIMITS_KEY",
    "VERIFIER_KEY",
    "InstanceIssuer",
    "Limits",
    "issuer_of",
    "limited",
    "limits_of",
    "setup_services",
    "verifier_of",
]

log = logging.getLogger(__name__)

GENERATED_KEY_FILE = "issuer-key.jwk"


@dataclass(frozen=True)
class InstanceIssuer:
    """The key this instance signs with: its did:key, verification method and cryptosuite.

    ``POST /credentials/issue`` signs only credentials whose issuer is :attr:`did`.
    """

    private_key: PrivateKey
    did: str
    verification_method: str
    cryptosuite: str

    @classmethod
    def from_key(cls, key: PrivateKey, cryptosuite: str) -> InstanceIssuer:
        did = did_key_from_public_key(key.public_key)
        return cls(key, did, did_key_verification_method_id(did), cryptosuite)


VERIFIER_KEY = web.AppKey("satchel.verifier", Verifier)
ISSUER_KEY = web.AppKey("satchel.issuer", InstanceIssuer)


def verifier_of(request: web.Request) -> Verifier:
    return request.config_dict[VERIFIER_KEY]


def issuer_of(request: web.Request) -> InstanceIssuer:
    return request.config_dict[ISSUER_KEY]


def setup_services(app: web.Application, settings: Settings) -> None:
    """Install the limits now and the verifier/issuer at startup (inside the running loop)."""
    app[LIMITS_KEY] = Limits(
        LimitSettings(
            max_body_bytes=settings.max_body_bytes,
            rate_per_minute=settings.rate_limit,
            max_concurrent=settings.max_concurrent_verifications,
            queue_seconds=settings.verification_queue_seconds,
        )
    )

    async def services(app: web.Application) -> AsyncIterator[None]:
        app[ISSUER_KEY] = await asyncio.to_thread(load_instance_issuer, settings)
        log.info("instance issuer for /credentials/issue: %s", app[ISSUER_KEY].did)
        fetcher = GuardedFetcher(settings.fetch_policy)
        app[VERIFIER_KEY] = Verifier(fetcher=fetcher)
        try:
            yield
        finally:
            await fetcher.close()

    app.cleanup_ctx.append(services)


# --- the instance issuer key ----------------------------------------------------------------


def _suite_key_type(cryptosuite: str) -> KeyType:
    suite = suite_by_name(cryptosuite)
    if suite is None:
        raise ConfigError(f"SATCHEL_ISSUER_SUITE {cryptosuite!r} is not a supported cryptosuite")
    return suite.key_types[0]


def load_instance_issuer(settings: Settings) -> InstanceIssuer:
    """The operator's key file, else the key kept under ``data_dir`` (made on first start)."""
    suite = settings.issuer_suite
    key_type = _suite_key_type(suite)
    if settings.issuer_key_file is not None:
        key = _read_private_jwk(settings.issuer_key_file)
    else:
        key = _generated_key(settings.data_dir / GENERATED_KEY_FILE, key_type)
    problem = SUITES[suite].key_type_problem(key.key_type)
    if problem:
        raise ConfigError(f"the issuer key does not fit SATCHEL_ISSUER_SUITE: {problem}")
    return InstanceIssuer.from_key(key, suite)


def _read_private_jwk(path: Path) -> PrivateKey:
    try:
        return private_key_from_jwk(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"cannot read the issuer key file {path}: {exc.strerror}") from exc
    except (ValueError, InvalidKeyError) as exc:
        raise ConfigError(f"the issuer key file {path} is not a private JWK: {exc}") from exc


def _generated_key(path: Path, key_type: KeyType) -> PrivateKey:
    """Read the kept key, or create it once with mode 0600 (workers may race to do so)."""
    if not path.exists():
        key = generate_private_key(key_type)
        if create_private_file(path, json.dumps(private_key_to_jwk(key))):
            log.warning("generated a new instance issuer key in %s", path)
            return key
    return _read_private_jwk(path)
