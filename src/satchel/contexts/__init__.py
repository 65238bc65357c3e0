"""Bundled JSON-LD contexts and the only document loader Satchel ever uses.

Importing this package installs :func:`load_document` as pyld's default loader, so pyld's own
network loader is never active anywhere in the process.
"""

from satchel.contexts.loader import (
    ContextNotBundledError,
    DocumentLoader,
    add_context_folder,
    bundled_urls,
    load_document,
)

__all__ = [
    "ContextNotBundledError",
    "DocumentLoader",
    "add_context_folder",
    "bundled_urls",
    "load_document",
]
