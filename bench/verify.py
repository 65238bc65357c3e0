"""Verification throughput of the credential core, in one run on this machine.

Prints, per Data Integrity suite: proofs verified per second with the processed-context cache
warm, the same with pyld's unpatched context processing (the ratio is what
satchel.contexts.processing buys), with the cache cleared before every verification (cold),
and whole-pipeline verifications per second (every check). Ratios are the point: absolute
numbers move with the machine's load.

    .venv/bin/python bench/verify.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from pyld import jsonld

from satchel.contexts import processing
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver
from satchel.validator.engine import Verifier
from satchel.validator.proofs.data_integrity import sign, verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose
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


@contextmanager
def unpatched_pyld() -> Iterator[None]:
    """pyld's own context processing, without satchel.contexts.processing's fix."""
    jsonld.JsonLdProcessor._process_context = processing._original_process_context
    try:
        yield
    finally:
        processing.install()


async def main(seconds: float) -> None:
    resolver = DidResolver()
    verifier = Verifier(resolver)
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"satchel verification benchmark, {seconds:.0f} s per figure, {stamp}")
    print("proof = the proofs alone (verify_proofs); pipeline = every check of the engine")
    header = ("proof/s", "unpatched", "ratio", "cold", "pipeline/s")
    print(f"{'suite':30}" + "".join(f"{h:>12}" for h in header))
    for suite, key_type in SUITES:
        key = generate_private_key(key_type)
        did = did_key_from_public_key(key.public_key)
        doc = sign(
            credential(did, 1),
            key,
            cryptosuite=suite,
            verification_method=did_key_verification_method_id(did),
        )

        async def proof(doc: dict[str, object] = doc) -> bool:
            results = await verify_proofs(doc, resolver=resolver, purpose=AssertionPurpose())
            return all(r.verified for r in results)

        async def proof_cold(doc: dict[str, object] = doc) -> bool:
            clear_context_cache()
            return await proof(doc)

        async def pipeline(doc: dict[str, object] = doc) -> bool:
            return (await verifier.verify(doc)).verified

        warm = await rate(proof, seconds)
        with unpatched_pyld():
            unpatched = await rate(proof, seconds)
        cold = await rate(proof_cold, seconds)
        full = await rate(pipeline, seconds)
        figures = (f"{warm:.0f}", f"{unpatched:.0f}", f"{warm / unpatched:.2f}x", f"{cold:.0f}")
        row = f"{suite + ' ' + key_type:30}" + "".join(f"{f:>12}" for f in figures)
        print(row + f"{full:12.0f}")
    key = generate_private_key(KeyType.ED25519)
    did = did_key_from_public_key(key.public_key)
    token = sign_vc_jwt(credential(did, 2), key, kid=did_key_verification_method_id(did))

    async def verify_jwt() -> bool:
        return (await verifier.verify(token)).verified

    print(f"{'vc+jwt EdDSA':30}{'':>48}{await rate(verify_jwt, seconds):12.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    asyncio.run(main(parser.parse_args().seconds))
