"""The compiled validator only ever says "valid" where the readable one finds no error."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satchel.validator.schemas import bundled_schemas

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
OB30 = (
    SHARED / "vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources"
)
EXAMPLES = SHARED / "vectors/1EdTech-openbadges-specification/ob_v3p0/examples"
ACHIEVEMENT = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def documents() -> list[Path]:
    if not OB30.is_dir():
        pytest.fail(f"{SHARED} is missing: ../shared must sit beside the repository")
    paths = sorted((OB30 / "ob30").glob("*.json")) + sorted(EXAMPLES.rglob("*.json"))
    return [p for p in paths if isinstance(json.loads(p.read_text()), dict)]


def agree(document: object) -> None:
    store = bundled_schemas()
    fast = store.fast_validator(ACHIEVEMENT).is_valid(document)
    slow = not any(True for _ in store.validator(ACHIEVEMENT).iter_errors(document))
    assert fast == slow, json.dumps(document)[:400]


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_fast_and_readable_validators_agree_on_published_documents(path):
    agree(json.loads(path.read_text()))


BASE = json.loads((Path(__file__).resolve().parents[2] / "data" / "unsigned-ob30.json").read_text())
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(["2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01", "not a date"]),
    st.lists(st.text(max_size=4), max_size=2),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
)
PATHS = [
    ("validFrom",),
    ("validUntil",),
    ("name",),
    ("issuer",),
    ("issuer", "id"),
    ("issuer", "type"),
    ("credentialSubject",),
    ("credentialSubject", "type"),
    ("credentialSubject", "achievement"),
    ("credentialSubject", "achievement", "criteria"),
    ("credentialSubject", "achievement", "type"),
    ("type",),
    ("@context",),
    ("id",),
    ("credentialSubject", "identifier"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=VALUES, delete=st.booleans())
def test_fast_and_readable_validators_agree_on_mutated_credentials(path, value, delete):
    document = copy.deepcopy(BASE)
    document["issuer"]["id"] = "https://example.edu/issuer"
    node = document
    for key in path[:-1]:
        node = node[key]
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    agree(document)


def test_lone_proof_object_gives_the_same_outcome_on_both_paths():
    from satchel.validator.schemas import violations

    document = copy.deepcopy(BASE)
    document["issuer"]["id"] = "https://example.edu/issuer"
    document["proof"] = {"type": "DataIntegrityProof", "proofPurpose": "assertionMethod"}
    store = bundled_schemas()
    fast = violations._fast_outcome(store.fast_validator(ACHIEVEMENT), ACHIEVEMENT, document)
    assert fast is not None
    original = store.fast_validator
    try:
        store.fast_validator = lambda url: type(
            "Never", (), {"is_valid": lambda s, d: False, "iter_errors": lambda s, d: []}
        )()
        slow = violations.validate(ACHIEVEMENT, document)
    finally:
        store.fast_validator = original
    assert (fast.violations, fast.compact_form) == (slow.violations, slow.compact_form)
    assert [v.path for v in fast.compact_form] == ["proof"]
