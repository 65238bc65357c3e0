"""The processed-context cache hits for type-scoped contexts, and changes no output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld

from satchel.contexts import processing
from satchel.validator.rdfc import canonicalize

TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "unsigned-ob30.json"


def credential(n: int) -> dict[str, object]:
    document = json.loads(TEMPLATE.read_text().replace("ISSUER", f"did:example:issuer{n}"))
    document["name"] = f"Badge {n}"
    return document


@pytest.fixture
def term_definitions(monkeypatch):
    calls = []
    original = jsonld.JsonLdProcessor._create_term_definition

    def counting(self, *args, **kwargs):
        calls.append(args[1] if len(args) > 1 else None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_create_term_definition", counting)
    return calls


def test_second_credential_reuses_every_processed_context(term_definitions):
    canonicalize(credential(1))
    term_definitions.clear()
    canonicalize(credential(2))
    assert term_definitions == []


def test_without_the_patch_pyld_reprocesses_type_scoped_contexts(term_definitions, monkeypatch):
    # The control: the saving measured in bench/verify.py is real, not an artefact.
    monkeypatch.setattr(
        jsonld.JsonLdProcessor, "_process_context", processing._original_process_context
    )
    canonicalize(credential(1))
    term_definitions.clear()
    canonicalize(credential(2))
    assert len(term_definitions) > 10


def test_patched_and_unpatched_processing_give_identical_canonical_forms(monkeypatch):
    patched = canonicalize(credential(3))
    monkeypatch.setattr(
        jsonld.JsonLdProcessor, "_process_context", processing._original_process_context
    )
    jsonld._resolved_context_cache.clear()
    assert canonicalize(credential(3)) == patched


def test_wrappers_are_frozen_so_pyld_cannot_corrupt_them():
    canonicalize(credential(4))
    wrapper = next(iter(processing._wrappers.values()))
    with pytest.raises(TypeError):
        wrapper["mappings"] = {}  # type: ignore[index]


def test_context_keys_distinguish_contexts_and_ignore_key_order():
    a = processing._context_key({"b": 1, "a": {"x": "y"}})
    assert a == processing._context_key({"a": {"x": "y"}, "b": 1})
    assert a != processing._context_key({"a": {"x": "z"}, "b": 1})
