"""Which inputs are OB 2.0, and the JWS algorithms a signed badge may use."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from satchel.validator.inputs import ParsedInput
from satchel.validator.ob2 import is_ob2
from satchel.validator.ob2.jws import JwsError, parse_compact_jws, verify_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"sig") -> str:
    return (
        f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{b64(signature)}"
    )


def test_document_with_the_ob2_context_is_ob2(ob20: Any) -> None:
    assert is_ob2(ParsedInput(document=ob20.json("assets/robotics-badge.json")))


def test_document_typed_assertion_without_context_is_ob2() -> None:
    assert is_ob2(ParsedInput(document={"type": "Assertion"}))


def test_vc_credential_is_not_ob2() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
    }
    assert not is_ob2(ParsedInput(document=document))


def test_signed_ob2_badge_is_ob2_and_vc_jwt_is_not(ob20: Any) -> None:
    assert is_ob2(ParsedInput(jwt=ob20.text("simple.jwt")))
    vc_jwt = token({"alg": "ES256"}, {"vc": {"type": ["VerifiableCredential"]}, "iss": "x"})
    assert not is_ob2(ParsedInput(jwt=vc_jwt))


def test_url_only_input_is_an_ob2_hosted_assertion() -> None:
    assert is_ob2(ParsedInput(url="https://example.org/a.json"))
    assert not is_ob2(ParsedInput(url="ftp://example.org/a.json"))


def test_es256_signature_verifies_and_rejects_other_payloads() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    unsigned = token({"alg": "ES256"}, {"type": "Assertion"}).rsplit(".", 1)[0]
    r, s = decode_dss_signature(key.sign(unsigned.encode(), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert verify_signature(parse_compact_jws(f"{unsigned}.{b64(signature)}"), pem)
    other = token({"alg": "ES256"}, {"type": "Other"}, signature)
    assert not verify_signature(parse_compact_jws(other), pem)


@pytest.mark.parametrize("alg", ["none", "HS256", ""])
def test_unsafe_algorithms_are_refused(alg: str) -> None:
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(JwsError):
        verify_signature(parse_compact_jws(token({"alg": alg}, {"type": "Assertion"})), pem)


def test_key_of_the_wrong_family_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(JwsError, match="RSA"):
        verify_signature(parse_compact_jws(token({"alg": "RS256"}, {})), pem)


def test_malformed_jws_is_refused() -> None:
    with pytest.raises(JwsError):
        parse_compact_jws("only.two")
    with pytest.raises(JwsError):
        parse_compact_jws(f"{b64(b'[]')}.{b64(b'{}')}.x")
