"""JSON-LD safe mode: data JSON-LD would silently drop is an error, real credentials pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from satchel.validator.jsonld_safe import SafeModeError, expand_safe
from satchel.validator.rdfc import CanonicalizationError

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VECTORS = SHARED / "vectors"
if not VECTORS.is_dir():
    pytest.fail(f"shared test vectors not found at {VECTORS}", pytrace=False)

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _credential(context: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "@context": context,
        "id": "urn:uuid:4e2c3b3c-1f0a-4c55-9b1e-2a0f2b3c4d5e",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
        **extra,
    }


def _raises(document: dict[str, Any]) -> SafeModeError:
    with pytest.raises(SafeModeError) as caught:
        expand_safe(document)
    return caught.value


@pytest.mark.parametrize("context", [VC1, VC2])
def test_undefined_property_in_credential_subject_is_named_with_its_path(context: str) -> None:
    document = _credential([context])
    document["credentialSubject"]["foo"] = 1
    error = _raises(document)
    assert (error.term, error.path) == ("foo", "credentialSubject")
    assert "foo" in str(error) and "credentialSubject" in str(error)


@pytest.mark.parametrize("context", [VC1, VC2])
def test_undefined_type_is_an_error(context: str) -> None:
    error = _raises(_credential([context], type=["VerifiableCredential", "NoSuchType"]))
    assert (error.term, error.path) == ("NoSuchType", "type")


def test_undefined_type_deep_inside_type_scoped_context_is_an_error() -> None:
    document = _credential([VC2, OB3], type=["VerifiableCredential", "OpenBadgeCredential"])
    document["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "achievement": {"id": "urn:a", "type": ["Achievement", "Nope"], "name": "A"},
    }
    error = _raises(document)
    assert (error.term, error.path) == ("Nope", "credentialSubject.achievement.type")


def test_property_unknown_to_a_type_scoped_context_is_an_error() -> None:
    document = _credential([VC2, OB3], type=["VerifiableCredential", "OpenBadgeCredential"])
    document["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "achievement": {"id": "urn:a", "type": ["Achievement"], "colour": "red"},
    }
    assert _raises(document).path == "credentialSubject.achievement"


def test_term_mapped_to_null_is_an_error() -> None:
    assert _raises(_credential([VC2, {"note": None}], note="dropped")).term == "note"


def test_blank_node_property_is_an_error() -> None:
    assert _raises(_credential([VC2], **{"_:p": "dropped"})).term == "_:p"


def test_relative_id_is_an_error() -> None:
    error = _raises(_credential([VC2], id="credentials/1"))
    assert (error.term, error.path) == ("credentials/1", "id")


def test_relative_iri_in_id_coerced_property_is_an_error() -> None:
    error = _raises(_credential([VC2], issuer="issuers/1"))
    assert (error.term, error.path) == ("issuers/1", "issuer")


def test_relative_datatype_in_value_object_is_an_error() -> None:
    document = _credential([VC2, {"p": "urn:p"}], p={"@value": "1", "@type": "relative"})
    assert _raises(document).term == "relative"


def test_keywords_compact_iris_and_blank_node_ids_are_not_flagged() -> None:
    document = _credential([VC2], id="_:credential", **{"urn:ex:p": {"@value": "v"}})
    document["@type"] = "urn:ex:Type"
    assert expand_safe(document)


def test_safe_mode_error_is_a_canonicalization_error() -> None:
    assert issubclass(SafeModeError, CanonicalizationError)


def _vector_documents() -> list[Path]:
    folders = [
        VECTORS / "w3c-vc-di-eddsa" / "TestVectors",
        VECTORS / "w3c-vc-di-ecdsa" / "TestVectors",
        VECTORS / "1EdTech-openbadges-specification" / "ob_v3p0" / "impl",
        VECTORS / "1EdTech-openbadges-specification" / "ob_v3p0" / "examples",
    ]
    found = [path for folder in folders for path in sorted(folder.rglob("*.json"))]
    # Key pairs, SD-suite intermediates and guide value tables are not JSON-LD documents.
    return [p for p in found if "@context" in p.read_text("utf-8") and "ecdsa-sd" not in str(p)]


VECTOR_DOCUMENTS = _vector_documents()


def test_vector_documents_were_found() -> None:
    assert len(VECTOR_DOCUMENTS) >= 40


@pytest.mark.parametrize(
    "path", VECTOR_DOCUMENTS, ids=[str(p.relative_to(VECTORS)) for p in VECTOR_DOCUMENTS]
)
def test_every_shipped_vector_document_passes_safe_mode(path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    assert expand_safe(document)
