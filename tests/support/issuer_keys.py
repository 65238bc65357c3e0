"""What the 1EdTech fixtures' https issuers would publish: a controller document per issuer.

The fixtures sign with keys named in ``https://issuer/...#z6Mk…`` verification methods, which
Satchel only trusts when the issuer's own document lists them. Tests serve these documents from
a loopback host, as each issuer's profile would. Fixtures whose point is a wrong verification
method (``err-proof-method``) contribute no key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VALIDATOR_FIXTURES = SHARED / "vectors/1EdTech-digital-credentials-public-validator"
OB30 = VALIDATOR_FIXTURES / "inspector-vc/src/test/resources/ob30"
OB20 = VALIDATOR_FIXTURES / "inspector-vc/src/test/resources/ob20"
CLR20 = VALIDATOR_FIXTURES / "inspector-clr/src/test/resources/clr20"


def proofs_in(node: Any) -> Iterator[Any]:
    """Every proof at any depth: CLR nested credentials and endorsements carry their own."""
    if isinstance(node, dict):
        proofs = node.get("proof", [])
        yield from proofs if isinstance(proofs, list) else [proofs]
        for value in node.values():
            yield from proofs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from proofs_in(value)


def published_issuer_documents() -> dict[str, dict[str, Any]]:
    """Controller document by issuer URL, listing every key its fixtures sign with."""
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(OB30.glob("*.json")) + sorted(CLR20.glob("*.json")):
        if "err-proof-method" in path.name:
            continue
        for proof in proofs_in(json.loads(path.read_text())):
            vm = proof.get("verificationMethod", "") if isinstance(proof, dict) else ""
            controller, _, fragment = vm.partition("#")
            if not vm.startswith("https://") or not fragment.startswith("z6Mk"):
                continue
            document = documents.setdefault(
                controller, {"id": controller, "verificationMethod": [], "assertionMethod": []}
            )
            if vm in document["assertionMethod"]:
                continue
            legacy = proof["type"] == "Ed25519Signature2020"
            document["verificationMethod"].append(
                {
                    "id": vm,
                    "type": "Ed25519VerificationKey2020" if legacy else "Multikey",
                    "controller": controller,
                    "publicKeyMultibase": fragment,
                }
            )
            document["assertionMethod"].append(vm)
    return documents


def hosts_of(documents: dict[str, Any]) -> set[str]:
    return {url.split("/")[2] for url in documents}
