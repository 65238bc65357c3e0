"""Verification throughput of the credential core, in one run on this machine.

Prints credentials verified per second for each Data Integrity suite and for VC-JWT, and the
ratio of the warm processed-context cache against a cold one (cleared before every
verification). Ratios are the point: absolute numbers move with the machine's load.

    .venv/bin/python bench/verify.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pyld import jsonld

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver
from satchel.validator.engine import Verifier
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt

SUITES = [
    ("eddsa-rdfc-2022", KeyType.ED25519),
    ("eddsa-jcs-2022", KeyType.ED25519),
    ("ecdsa-rdfc-2019", KeyType.P256),
    ("ecdsa-rdfc-2019", KeyType.P384),
    ("ecdsa-jcs-2019", KeyType.P256),
    ("Ed25519Signature2020", KeyType.ED25519),
]


def credential(issuer: str, n: int) -> dict[str, object]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:bench-{n}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Bench University"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Teamwork",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works well with others.",
                "criteria": {"narrative": "Nominated by peers."},
            },
        },
    }


async def rate(action: Callable[[], Awaitable[bool]], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        if not await action():
            raise SystemExit("benchmark input did not verify: the figures would be meaningless")
        count += 1
    return count / (time.perf_counter() - start)


def clear_context_cache() -> None:
    jsonld._resolved_context_cache.clear()  # measuring the cache is the point


async def main(seconds: float) -> None:
    verifier = Verifier(DidResolver())
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"satchel verification benchmark, {seconds:.0f} s per figure, {stamp}")
    print(f"{'suite':32} {'verif/s warm':>13} {'verif/s cold':>13} {'warm/cold':>10}")
    for suite, key_type in SUITES:
        key = generate_private_key(key_type)
        did = did_key_from_public_key(key.public_key)
        doc = sign(
            credential(did, 1),
            key,
            cryptosuite=suite,
            verification_method=did_key_verification_method_id(did),
        )

        async def verify(doc: dict[str, object] = doc) -> bool:
            return (await verifier.verify(doc)).verified

        async def verify_cold(doc: dict[str, object] = doc) -> bool:
            clear_context_cache()
            return await verify(doc)

        warm = await rate(verify, seconds)
        cold = await rate(verify_cold, seconds)
        print(f"{suite + ' ' + key_type:32} {warm:13.1f} {cold:13.1f} {warm / cold:9.2f}x")
    key = generate_private_key(KeyType.ED25519)
    did = did_key_from_public_key(key.public_key)
    token = sign_vc_jwt(credential(did, 2), key, kid=did_key_verification_method_id(did))

    async def verify_jwt() -> bool:
        return (await verifier.verify(token)).verified

    print(f"{'vc+jwt EdDSA':32} {await rate(verify_jwt, seconds):13.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    asyncio.run(main(parser.parse_args().seconds))
