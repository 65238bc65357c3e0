"""The document loader: bundled contexts by URL, nothing from the network, ever.

Documents returned carry ``tag: 'static'`` so pyld keeps their processed form in its shared
resolved-context cache: repeated verifications do not re-process the same context.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pyld import jsonld

from satchel.errors import SatchelError

DocumentLoader = Callable[[str, Mapping[str, Any] | None], dict[str, Any]]

_DATA = resources.files("satchel.contexts") / "data"


class ContextNotBundledError(SatchelError):
    """A document references a context URL that Satchel does not bundle."""

    type = "context-not-bundled"
    title = "Unknown JSON-LD context"
    status = 400

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context {url!r} is not bundled; Satchel never fetches contexts")
        self.url = url


class _Registry:
    """URL -> parsed context document. Parsed once, shared read-only by every call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._documents: dict[str, Any] = {}
        manifest = json.loads((_DATA / "MANIFEST.json").read_text("utf-8"))
        for url, entry in manifest["contexts"].items():
            self._documents[url] = json.loads((_DATA / entry["file"]).read_text("utf-8"))
        for alias in manifest.get("aliases", []):
            self._documents[alias["url"]] = self._documents[alias["same_as"]]

    def get(self, url: str) -> Any:
        return self._documents.get(url)

    def urls(self) -> frozenset[str]:
        return frozenset(self._documents)

    def add(self, url: str, document: Any) -> None:
        with self._lock:
            self._documents[url] = document


_registry = _Registry()


def _normalise(url: str) -> str:
    # Documents in the wild reference some contexts over http; the bundle is keyed by https.
    if url.startswith("http://"):
        candidate = "https://" + url[len("http://") :]
        if _registry.get(candidate) is not None:
            return candidate
    return url


def load_document(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: a bundled context or :class:`ContextNotBundledError`."""
    key = _normalise(url)
    document = _registry.get(key)
    if document is None:
        raise ContextNotBundledError(url)
    return {
        "contextUrl": None,
        "documentUrl": key,
        "document": document,
        "tag": "static",
    }


def bundled_urls() -> frozenset[str]:
    """Every context URL the loader serves (aliases included)."""
    return _registry.urls()


def add_context_folder(folder: Path) -> list[str]:
    """Register an operator's extra contexts: ``folder/MANIFEST.json`` maps URL -> file.

    The manifest has the bundled layout: ``{"contexts": {url: {"file": relative path}}}``.
    Returns the URLs added.
    """
    manifest = json.loads((folder / "MANIFEST.json").read_text("utf-8"))
    added = []
    for url, entry in manifest.get("contexts", {}).items():
        path = (folder / entry["file"]).resolve()
        if folder.resolve() not in path.parents:
            raise ValueError(f"context file {entry['file']!r} escapes {folder}")
        _registry.add(url, json.loads(path.read_text("utf-8")))
        added.append(url)
    return added


def _install() -> None:
    from satchel.contexts import processing

    jsonld.set_document_loader(load_document)
    processing.install()


_install()
