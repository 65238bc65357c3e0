"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents.

PROVISIONAL: plain pyld URDNA2015; bounds, safe mode, RDFC-1.0 escaping and the SHA-384
internal hash are being added.
"""

from __future__ import annotations

from typing import Any

from pyld import jsonld

import satchel.contexts  # noqa: F401 - installs the only document loader


def canonicalize(document: Any, *, hash_name: str = "sha256") -> str:
    """Canonical N-Quads of a JSON-LD document (RDFC-1.0)."""
    result: str = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "safe": True}
    )
    return result
