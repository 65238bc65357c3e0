"""RDFC-1.0: the W3C rdf-canon suite and the Data Integrity vectors, byte for byte."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from satchel.validator.jsonld_safe import SafeModeError
from satchel.validator.rdfc import (
    CanonicalizationError,
    CanonicalizationLimitError,
    canonicalize,
    canonicalize_dataset,
    canonicalize_nquads,
    escape_literal,
    parse_nquads,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VECTORS = SHARED / "vectors"
if not VECTORS.is_dir():
    pytest.fail(f"shared test vectors not found at {VECTORS}", pytrace=False)

RDF_CANON = VECTORS / "w3c-rdf-canon" / "tests"
EDDSA = VECTORS / "w3c-vc-di-eddsa" / "TestVectors"
ECDSA = VECTORS / "w3c-vc-di-ecdsa" / "TestVectors"
OB_IMPL = VECTORS / "1EdTech-openbadges-specification" / "ob_v3p0" / "impl"


def _manifest_entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((RDF_CANON / "manifest.jsonld").read_text())[
        "entries"
    ]
    return entries


def _hash_name(entry: dict[str, Any]) -> str:
    return str(entry.get("hashAlgorithm", "sha256"))


ENTRIES = _manifest_entries()
EVAL = [e for e in ENTRIES if e["type"] == "rdfc:RDFC10EvalTest"]
MAPS = [e for e in ENTRIES if e["type"] == "rdfc:RDFC10MapTest"]
NEGATIVE = [e for e in ENTRIES if e["type"] == "rdfc:RDFC10NegativeEvalTest"]


def test_manifest_has_every_kind_of_test() -> None:
    assert (len(EVAL), len(MAPS), len(NEGATIVE)) == (64, 21, 1)
    assert len(EVAL) + len(MAPS) + len(NEGATIVE) == len(ENTRIES)


@pytest.mark.parametrize("entry", EVAL, ids=[e["id"].lstrip("#") for e in EVAL])
def test_rdf_canon_eval_output_is_byte_identical(entry: dict[str, Any]) -> None:
    nquads = (RDF_CANON / entry["action"]).read_text("utf-8")
    expected = (RDF_CANON / entry["result"]).read_text("utf-8")
    assert canonicalize_nquads(nquads, hash_name=_hash_name(entry)) == expected


@pytest.mark.parametrize("entry", MAPS, ids=[e["id"].lstrip("#") for e in MAPS])
def test_rdf_canon_issued_identifier_map_matches(entry: dict[str, Any]) -> None:
    quads = parse_nquads((RDF_CANON / entry["action"]).read_text("utf-8"))
    expected = json.loads((RDF_CANON / entry["result"]).read_text("utf-8"))
    result = canonicalize_dataset(quads, hash_name=_hash_name(entry))
    assert dict(result.issued_identifiers) == expected


@pytest.mark.parametrize("entry", NEGATIVE, ids=[e["id"].lstrip("#") for e in NEGATIVE])
def test_rdf_canon_poison_graph_fails_cleanly_within_the_bound(entry: dict[str, Any]) -> None:
    nquads = (RDF_CANON / entry["action"]).read_text("utf-8")
    started = time.perf_counter()
    with pytest.raises(CanonicalizationLimitError, match="work bound"):
        canonicalize_nquads(nquads)
    assert time.perf_counter() - started < 2.0


def test_computable_poison_graph_needs_more_than_a_tiny_bound() -> None:
    nquads = (RDF_CANON / "rdfc10" / "test044-in.nq").read_text("utf-8")
    with pytest.raises(CanonicalizationLimitError):
        canonicalize_nquads(nquads, max_work=100)


def test_too_many_quads_are_refused_before_any_work() -> None:
    nquads = "".join(f"<urn:s> <urn:p> <urn:o{i}> .\n" for i in range(11))
    with pytest.raises(CanonicalizationLimitError, match="11 quads"):
        canonicalize_nquads(nquads, max_quads=10)


def test_too_many_blank_nodes_are_refused() -> None:
    nquads = "".join(f"_:b{i} <urn:p> _:c{i} .\n" for i in range(3))
    with pytest.raises(CanonicalizationLimitError, match="6 blank nodes"):
        canonicalize_nquads(nquads, max_blank_nodes=5)


def test_duplicate_quads_count_once() -> None:
    assert canonicalize_nquads("<urn:s> <urn:p> _:x .\n<urn:s> <urn:p> _:x .\n") == (
        "<urn:s> <urn:p> _:c14n0 .\n"
    )


def test_unknown_hash_algorithm_is_a_typed_error() -> None:
    with pytest.raises(CanonicalizationError, match="md5"):
        canonicalize_nquads("<urn:s> <urn:p> _:x .\n", hash_name="md5")


def test_invalid_nquads_is_a_typed_error_naming_the_line() -> None:
    with pytest.raises(CanonicalizationError, match="line 2"):
        canonicalize_nquads("<urn:s> <urn:p> <urn:o> .\nnot a quad\n")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ('a"b\\c', 'a\\"b\\\\c'),
        ("\n\r\t\b\f", "\\n\\r\\t\\b\\f"),
        ("\x00\x0b\x1f\x7f", "\\u0000\\u000B\\u001F\\u007F"),
        ("é ∞ 🌃 '", "é ∞ 🌃 '"),
    ],
)
def test_literals_use_rdfc10_escaping(raw: str, escaped: str) -> None:
    assert escape_literal(raw) == escaped


def test_control_characters_in_json_ld_literals_use_uppercase_uchar() -> None:
    document = {"@context": {"p": "urn:p"}, "@id": "urn:s", "p": "bell\x07 del\x7f"}
    assert canonicalize(document) == '<urn:s> <urn:p> "bell\\u0007 del\\u007F" .\n'


# --- Data Integrity vectors -------------------------------------------------------------------

# (folder, file suffix, RDFC internal hash the published canonical document needs)
DI_VECTORS = [
    (EDDSA / "eddsa-rdfc-2022", "DataInt", "sha256"),
    (EDDSA / "eddsa-rdfc-2022" / "employ", "DataInt", "sha256"),
    (EDDSA / "Ed25519Signature2020", "EdSig", "sha256"),
    (ECDSA / "ecdsa-rdfc-2019-p256", "ECDSAP256", "sha256"),
    (ECDSA / "ecdsa-rdfc-2019-p256" / "employ", "ECDSAP256", "sha256"),
    (ECDSA / "ecdsa-rdfc-2019-p384", "ECDSAP384", "sha384"),
    (ECDSA / "ecdsa-rdfc-2019-p384" / "employ", "ECDSAP384", "sha384"),
]
DI_IDS = [str(folder.relative_to(VECTORS)) for folder, _, _ in DI_VECTORS]


def _unsigned(folder: Path, suffix: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / f"signed{suffix}.json").read_text("utf-8"))
    document.pop("proof")
    return document


@pytest.mark.parametrize(("folder", "suffix", "hash_name"), DI_VECTORS, ids=DI_IDS)
def test_di_unsigned_document_canonical_form_is_published_one(
    folder: Path, suffix: str, hash_name: str
) -> None:
    expected = (folder / f"canonDoc{suffix}.txt").read_text("utf-8")
    assert canonicalize(_unsigned(folder, suffix), hash_name=hash_name) == expected


@pytest.mark.parametrize(("folder", "suffix", "hash_name"), DI_VECTORS, ids=DI_IDS)
def test_di_proof_config_canonical_form_is_published_one(
    folder: Path, suffix: str, hash_name: str
) -> None:
    config = json.loads((folder / f"proofConfig{suffix}.json").read_text("utf-8"))
    expected = (folder / f"proofCanon{suffix}.txt").read_text("utf-8")
    assert canonicalize(config, hash_name=hash_name) == expected


def test_p384_employment_vector_needs_sha384_inside_rdfc() -> None:
    folder = ECDSA / "ecdsa-rdfc-2019-p384" / "employ"
    expected = (folder / "canonDocECDSAP384.txt").read_text("utf-8")
    assert canonicalize(_unsigned(folder, "ECDSAP384"), hash_name="sha256") != expected


def test_plain_p384_vector_is_hash_independent() -> None:
    # One blank node only: nothing for the internal hash to order, both hashes reproduce it.
    folder = ECDSA / "ecdsa-rdfc-2019-p384"
    expected = (folder / "canonDocECDSAP384.txt").read_text("utf-8")
    assert canonicalize(_unsigned(folder, "ECDSAP384"), hash_name="sha256") == expected


@pytest.mark.parametrize(("guide", "vectors"), [("ob", "obv3p0"), ("clr", "clrv2p0")])
def test_open_badges_guide_vector_canonical_forms_are_published_ones(
    guide: str, vectors: str
) -> None:
    folder = OB_IMPL / f"linked-data-proof-{guide}"
    credential = json.loads((folder / "credential.json").read_text("utf-8"))
    proof = json.loads((folder / "proof.json").read_text("utf-8"))
    proof.pop("proofValue")
    proof["@context"] = credential["@context"]
    published = OB_IMPL / "test-vectors" / vectors
    assert canonicalize(credential) == (published / "document-canon.txt").read_text("utf-8")
    assert canonicalize(proof) == (published / "proof-canon.txt").read_text("utf-8")


def test_canonicalize_runs_safe_mode_by_default() -> None:
    document = _unsigned(EDDSA / "eddsa-rdfc-2022", "DataInt")
    document["credentialSubject"] = {"id": "did:example:1", "@context": {"x": None}, "x": 1}
    with pytest.raises(SafeModeError):
        canonicalize(document)
    assert canonicalize(document, safe=False) == canonicalize(
        {**document, "credentialSubject": {"id": "did:example:1"}}
    )


def test_unbundled_context_surfaces_as_the_loader_error() -> None:
    from satchel.contexts import ContextNotBundledError

    with pytest.raises(ContextNotBundledError, match=r"example\.invalid"):
        canonicalize({"@context": "https://example.invalid/ctx", "@id": "urn:x"})
