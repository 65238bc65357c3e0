"""The bundled JSON schemas: manifest integrity, offline resolution, cached validators, messages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from referencing.exceptions import Unresolvable

from satchel.validator.schemas import (
    OB30_ACHIEVEMENT_CREDENTIAL,
    OB30_ENDORSEMENT_CREDENTIAL,
    OB30_PROFILE,
    SchemaIntegrityError,
    SchemaNotBundledError,
    SchemaStore,
    bundled_schemas,
    dotted_path,
    validate,
)

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "src/satchel/validator/schemas/data"
SHARED_SCHEMAS = REPO.parent / "shared/schemas"
UNSIGNED = json.loads((REPO / "tests/data/unsigned-ob30.json").read_text())


@pytest.fixture(scope="module")
def shared_manifest() -> dict[str, Any]:
    path = SHARED_SCHEMAS / "MANIFEST.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    return {entry["sha256"]: entry for entry in json.loads(path.read_text())["files"]}


def manifest() -> dict[str, Any]:
    return json.loads((DATA / "MANIFEST.json").read_text())["schemas"]


def credential(**changes: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(UNSIGNED).replace("ISSUER", "https://example.edu/issuer"))
    document.update(changes)
    return document


@pytest.mark.parametrize("url", sorted(manifest()))
def test_every_bundled_file_matches_its_manifest_digest(url):
    entry = manifest()[url]
    assert hashlib.sha256((DATA / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("url", sorted(manifest()))
def test_every_bundled_file_is_the_shared_copy_of_the_url_it_is_filed_under(url, shared_manifest):
    shared = shared_manifest.get(manifest()[url]["sha256"])
    assert shared is not None, "bytes differ from every file in ../shared/schemas"
    assert shared["published_url"] == url


@pytest.mark.parametrize("url", sorted(manifest()))
def test_every_schema_declares_draft_2019_09_and_is_a_valid_schema(url):
    contents = bundled_schemas().get(url).contents
    assert contents["$schema"].startswith("https://json-schema.org/draft/2019-09/schema")
    bundled_schemas().validator(url).check_schema(contents)


def test_schemas_answer_to_their_published_url_and_their_own_id():
    store = bundled_schemas()
    for url in (OB30_ACHIEVEMENT_CREDENTIAL, OB30_ENDORSEMENT_CREDENTIAL, OB30_PROFILE):
        schema = store.get(url)
        assert schema.contents["$id"] in store.urls()
        assert store.get(schema.contents["$id"]) is schema


def test_every_ref_in_the_bundled_schemas_resolves_offline():
    store = bundled_schemas()
    for url in manifest():
        resolver = store.registry.resolver(base_uri=url)
        for ref in refs_in(store.get(url).contents):
            assert resolver.lookup(ref).contents is not None


def refs_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs_in(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs_in(v) for v in node))
    return set()


def test_a_ref_to_a_schema_that_is_not_bundled_fails_without_fetching():
    remote = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": "https://satchel.test/remote-ref.json",
        "$ref": "https://schemas.example/elsewhere.json",
    }
    raw = json.dumps(remote).encode()
    store = SchemaStore(
        {
            "schemas": {
                remote["$id"]: {"file": "x", "sha256": hashlib.sha256(raw).hexdigest()},
            }
        },
        lambda _file: raw,
    )
    with pytest.raises(Unresolvable):
        store.validator(remote["$id"]).validate({})


def test_a_file_that_does_not_match_its_digest_is_refused():
    with pytest.raises(SchemaIntegrityError):
        SchemaStore({"schemas": {"u": {"file": "f", "sha256": "0" * 64}}}, lambda _f: b"{}")


def test_an_unknown_schema_url_is_refused_not_fetched():
    with pytest.raises(SchemaNotBundledError) as raised:
        validate("https://schemas.example/badge.json", {})
    assert "never fetches" in raised.value.detail


def test_validators_are_built_once_and_reused():
    store = bundled_schemas()
    assert store is bundled_schemas()
    assert store.validator(OB30_ACHIEVEMENT_CREDENTIAL) is store.validator(
        OB30_ACHIEVEMENT_CREDENTIAL
    )


def test_the_project_template_matches_the_achievement_schema_strictly():
    assert validate(OB30_ACHIEVEMENT_CREDENTIAL, credential()).strictly_valid


def test_a_missing_required_property_is_named_by_its_path():
    document = credential()
    del document["credentialSubject"]["achievement"]["criteria"]
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, document)
    assert [v.message for v in outcome.violations] == [
        "credentialSubject.achievement.criteria is required"
    ]
    assert outcome.violations[0].path == "credentialSubject.achievement.criteria"


def test_a_wrong_type_names_the_expected_and_found_kind():
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, credential(name=42))
    assert [v.message for v in outcome.violations] == [
        "name must be a string (found a whole number)"
    ]


def test_a_missing_type_member_says_what_the_list_must_include():
    document = credential()
    document["credentialSubject"]["type"] = ["Subject"]
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, document)
    assert [v.message for v in outcome.violations] == [
        "credentialSubject.type must include 'AchievementSubject' (found ['Subject'])"
    ]


def test_an_issuer_object_error_is_reported_inside_the_profile_not_as_one_of_two_forms():
    document = credential()
    del document["issuer"]["type"]
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, document)
    assert [v.message for v in outcome.violations] == ["issuer.type is required"]


def test_an_issuer_of_neither_allowed_form_says_so():
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, credential(issuer=7))
    assert [v.message for v in outcome.violations] == [
        "issuer (7) matches none of the forms the specification allows"
    ]


def test_a_date_without_time_zone_is_not_a_valid_date_time():
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, credential(validFrom="2024-01-01T00:00:00"))
    assert outcome.violations[0].path == "validFrom"
    assert "is not a valid date-time" in outcome.violations[0].message


def test_a_single_value_where_a_list_is_expected_is_only_a_compact_form_difference():
    document = credential(proof={"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"})
    document["credentialSubject"]["achievement"]["alignment"] = {
        "type": "Alignment",
        "targetName": "Teamwork",
        "targetUrl": "https://example.edu/frameworks/teamwork",
    }
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, document)
    assert outcome.valid and not outcome.strictly_valid
    assert {v.path for v in outcome.compact_form} == {
        "proof",
        "credentialSubject.achievement.alignment",
        "credentialSubject.achievement.alignment[0].type",
    }
    assert isinstance(document["proof"], dict), "the caller's document is never modified"


def test_real_errors_remain_after_compact_form_is_read_as_lists():
    document = credential(evidence={"type": "Note", "narrative": "x"})
    outcome = validate(OB30_ACHIEVEMENT_CREDENTIAL, document)
    assert [v.message for v in outcome.violations] == [
        "evidence[0].type must include 'Evidence' (found ['Note'])"
    ]
    assert {v.path for v in outcome.compact_form} == {"evidence", "evidence[0].type"}


def test_dotted_paths_index_lists_and_name_keys():
    assert (
        dotted_path(["credentialSubject", "result", 1, "type"])
        == "credentialSubject.result[1].type"
    )
    assert dotted_path([]) == ""
