"""Bundled JSON-LD contexts and the only document loader Satchel ever uses.

Importing this package installs :func:`load_document` as pyld's default loader, so pyld's own
network loader is never active anywhere in the process.
"""

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

from satchel.contexts.loader import (  # noqa: E402 - after the constants it re-exports beside
    ContextNotBundledError,
    DocumentLoader,
    add_context_folder,
    bundled_urls,
    load_document,
)

__all__ = [
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "ContextNotBundledError",
    "DocumentLoader",
    "add_context_folder",
    "bundled_urls",
    "load_document",
]
