"""The bundled-context loader: integrity, coverage, no network, operator folders, caching."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
import time
import uuid
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

import satchel.contexts
from satchel.contexts import (
    ContextNotBundledError,
    add_context_folder,
    bundled_urls,
    load_document,
)

DATA = Path(str(resources.files("satchel.contexts") / "data"))
MANIFEST = json.loads((DATA / "MANIFEST.json").read_text("utf-8"))
CONTEXTS: dict[str, Any] = MANIFEST["contexts"]
ALIASES: list[dict[str, str]] = MANIFEST.get("aliases", [])


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_manifest_sha256_matches_the_bundled_file(url: str) -> None:
    entry = CONTEXTS[url]
    assert hashlib.sha256((DATA / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_every_bundled_url_loads_its_file_as_a_static_document(url: str) -> None:
    loaded = load_document(url, {})
    assert loaded["document"] == json.loads((DATA / CONTEXTS[url]["file"]).read_text("utf-8"))
    assert (loaded["documentUrl"], loaded["tag"]) == (url, "static")


@pytest.mark.parametrize("alias", ALIASES, ids=[a["url"] for a in ALIASES])
def test_every_alias_loads_the_same_document_as_its_target(alias: dict[str, str]) -> None:
    assert (
        load_document(alias["url"], {})["document"]
        == (load_document(alias["same_as"], {})["document"])
    )


def test_bundled_urls_lists_every_url_and_alias() -> None:
    assert bundled_urls() >= set(CONTEXTS) | {a["url"] for a in ALIASES}


def test_http_form_of_a_bundled_url_loads_the_https_document() -> None:
    http = "http://www.w3.org/ns/credentials/v2"
    assert load_document(http, {})["documentUrl"] == "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a connection is recorded and refused."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_unbundled_url_raises_naming_the_url_without_network(no_network: list[object]) -> None:
    url = "https://contexts.example/unbundled/v1"
    with pytest.raises(ContextNotBundledError) as caught:
        load_document(url, {})
    assert caught.value.url == url and url in str(caught.value)
    assert no_network == []


def test_pyld_expansion_with_unbundled_context_never_touches_the_network(
    no_network: list[object],
) -> None:
    document = {"@context": "https://contexts.example/unbundled/v2", "@id": "urn:x"}
    with pytest.raises(jsonld.JsonLdError) as caught:
        jsonld.expand(document)
    assert "contexts.example/unbundled/v2" in repr(caught.value.__cause__ or caught.value)
    assert no_network == []


def test_importing_satchel_contexts_installs_our_loader_in_pyld() -> None:
    assert satchel.contexts.load_document is load_document
    assert jsonld.get_document_loader() is load_document


def _operator_folder(tmp_path: Path, file: str, text: str | None) -> tuple[Path, str]:
    """A folder whose manifest maps a fresh URL (the registry is process-wide) to ``file``."""
    url = f"https://operator.example/{uuid.uuid4()}/context.jsonld"
    folder = tmp_path / "contexts"
    folder.mkdir()
    manifest = {"contexts": {url: {"file": file}}}
    (folder / "MANIFEST.json").write_text(json.dumps(manifest), "utf-8")
    if text is not None:
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(text, "utf-8")
    return folder, url


def test_operator_context_folder_adds_loadable_contexts(tmp_path: Path) -> None:
    context = {"@context": {"badgeColour": "https://operator.example/vocab#badgeColour"}}
    folder, url = _operator_folder(tmp_path, "sub/ctx.jsonld", json.dumps(context))
    assert add_context_folder(folder) == [url]
    assert load_document(url, {})["document"] == context
    expanded = jsonld.expand({"@context": url, "@id": "urn:b", "badgeColour": "red"})
    assert expanded[0]["https://operator.example/vocab#badgeColour"] == [{"@value": "red"}]


def test_operator_context_folder_refuses_a_file_outside_it(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text("{}", "utf-8")
    folder, url = _operator_folder(tmp_path, "../secret.json", None)
    with pytest.raises(ValueError, match="escapes"):
        add_context_folder(folder)
    with pytest.raises(ContextNotBundledError):
        load_document(url, {})


OB_CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "E"},
    "validFrom": "2010-01-01T00:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {"id": "urn:a", "type": ["Achievement"], "name": "A"},
    },
}


def _timed_expand(calls: list[str]) -> float:
    def spy(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        calls.append(url)
        return load_document(url, options)

    started = time.perf_counter()
    jsonld.expand(copy.deepcopy(OB_CREDENTIAL), {"documentLoader": spy})
    return time.perf_counter() - started


def test_static_contexts_are_processed_once_then_served_from_pyld_cache() -> None:
    jsonld._resolved_context_cache.clear()
    first: list[str] = []
    cold = _timed_expand(first)
    second: list[str] = []
    warm = min(_timed_expand(second) for _ in range(3))
    assert "https://www.w3.org/ns/credentials/v2" in first
    assert second == []
    assert warm < cold
