"""The OpenAPI 3.1 document served at ``GET /openapi.json``: every route Satchel serves.

Hand-written on purpose (no generator dependency). ``tests/test_openapi.py`` keeps it honest:
every route registered on the app is described here and nothing else is, and real responses
validate against the response schemas below.
"""

from __future__ import annotations

import copy
from typing import Any

from satchel import __version__

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
HTML = "text/html"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema_name: str, media: str = JSON) -> dict[str, Any]:
    return {media: {"schema": _ref(schema_name)}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json("Problem", PROBLEM_JSON)}


LIMIT_RESPONSES = {
    "413": _problem("The request body is larger than the configured cap."),
    "429": _problem("Too many requests from this client; see Retry-After."),
    "503": _problem("Too many verifications in progress; see Retry-After."),
    "500": _problem("Internal error (never with a stack trace)."),
}

_STRINGS = {"type": "array", "items": {"type": "string"}}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
        },
    },
    "CheckProblem": {
        "type": "object",
        "description": "A failed check as RFC 9457 problem details (VC-API problemDetails).",
        "required": ["type", "title", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "checkId": {"type": "string"},
            "target": {"type": "string"},
        },
    },
    "Check": {
        "type": "object",
        "required": ["id", "outcome", "message", "target"],
        "properties": {
            "id": {"type": "string"},
            "outcome": {"enum": ["passed", "failed", "warning", "not-checked"]},
            "message": {"type": "string"},
            "target": {"type": "string"},
            "errorCode": {"type": "string"},
            "details": {"type": "object"},
            "advisory": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"const": "ok"}},
    },
    "Version": {
        "type": "object",
        "required": ["name", "version"],
        "properties": {"name": {"const": "satchel"}, "version": {"type": "string"}},
    },
    "OpenApiDocument": {
        "type": "object",
        "required": ["openapi", "info", "paths"],
        "properties": {"openapi": {"type": "string"}},
    },
    "VerifyOptions": {
        "type": "object",
        "description": "challenge/domain apply to presentation proofs; the legacy `checks` and "
        "unknown options are ignored with a warning.",
        "properties": {
            "challenge": {"type": "string"},
            "domain": {"type": "string"},
            "checks": {"type": "array", "items": {"type": "string"}, "deprecated": True},
            "returnCredential": {"type": "boolean"},
            "returnPresentation": {"type": "boolean"},
            "returnResults": {"type": "boolean"},
            "returnProblemDetails": {"type": "boolean"},
        },
    },
    "VerifyCredentialRequest": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {
                "description": "A credential, a compact VC-JWT, or an "
                "EnvelopedVerifiableCredential with a data:application/vc+jwt URL id.",
                "oneOf": [{"type": "object"}, {"type": "string"}],
            },
            "options": _ref("VerifyOptions"),
        },
    },
    "VerifyPresentationRequest": {
        "type": "object",
        "required": ["verifiablePresentation"],
        "properties": {
            "verifiablePresentation": {
                "description": "A presentation, a compact VP-JWT, or an "
                "EnvelopedVerifiablePresentation with a data:application/vp+jwt URL id.",
                "oneOf": [{"type": "object"}, {"type": "string"}],
            },
            "options": _ref("VerifyOptions"),
        },
    },
    "ValidityResult": {
        "type": "object",
        "required": ["verified", "input"],
        "properties": {"verified": {"type": "boolean"}, "input": {"type": "string"}},
    },
    "EntryResult": {
        "type": "object",
        "required": ["verified", "input"],
        "properties": {"verified": {"type": "boolean"}, "input": {}},
    },
    "ProofResult": {
        "type": "object",
        "required": ["verified", "input", "problemDetails"],
        "properties": {
            "verified": {"type": "boolean"},
            "input": {"type": "object"},
            "problemDetails": {"type": "array", "items": _ref("CheckProblem")},
        },
    },
    "CredentialResults": {
        "type": "object",
        "required": ["proof"],
        "properties": {
            "validFrom": _ref("ValidityResult"),
            "validUntil": _ref("ValidityResult"),
            "proof": {"type": "array", "items": _ref("ProofResult")},
            "credentialStatus": {"type": "array", "items": _ref("EntryResult")},
            "credentialSchema": {"type": "array", "items": _ref("EntryResult")},
        },
        "additionalProperties": False,
    },
    "EmbeddedCredentialResult": {
        "type": "object",
        "required": ["verified", "credential", "problemDetails", "results"],
        "properties": {
            "verified": {"type": "boolean"},
            "credential": {},
            "problemDetails": {"type": "array", "items": _ref("CheckProblem")},
            "results": _ref("CredentialResults"),
        },
    },
    "PresentationResults": {
        "type": "object",
        "required": ["presentation", "credentials"],
        "properties": {
            "presentation": {
                "type": "object",
                "required": ["proof"],
                "properties": {
                    "challenge": _ref("ValidityResult"),
                    "domain": _ref("ValidityResult"),
                    "holder": _ref("ValidityResult"),
                    "proof": {"type": "array", "items": _ref("ProofResult")},
                },
                "additionalProperties": False,
            },
            "credentials": {"type": "array", "items": _ref("EmbeddedCredentialResult")},
        },
        "additionalProperties": False,
    },
    "VerifyResponseBase": {
        "type": "object",
        "required": ["verified", "checks", "warnings", "errors", "problemDetails", "results"],
        "properties": {
            "verified": {"type": "boolean"},
            "checks": {"type": "array", "items": _ref("Check")},
            "warnings": _STRINGS,
            "errors": _STRINGS,
            "notChecked": _STRINGS,
            "problemDetails": {"type": "array", "items": _ref("CheckProblem")},
        },
    },
    "VerifyCredentialResponse": {
        "allOf": [
            _ref("VerifyResponseBase"),
            {
                "properties": {
                    "results": _ref("CredentialResults"),
                    "credential": {"type": ["object", "null"]},
                }
            },
        ]
    },
    "VerifyPresentationResponse": {
        "allOf": [
            _ref("VerifyResponseBase"),
            {
                "properties": {
                    "results": _ref("PresentationResults"),
                    "verifiablePresentation": {"type": ["object", "null"]},
                }
            },
        ]
    },
    "IssueRequest": {
        "type": "object",
        "required": ["credential"],
        "properties": {
            "credential": {
                "type": "object",
                "description": "An unsigned VC 1.1 or 2.0 credential whose issuer (or issuer.id) "
                "is this instance's DID.",
            },
            "options": {"type": "object"},
        },
    },
    "IssueResponse": {
        "type": "object",
        "required": ["verifiableCredential"],
        "properties": {
            "verifiableCredential": {
                "type": "object",
                "required": ["@context", "type", "issuer", "credentialSubject", "proof"],
            }
        },
    },
    "Report": {
        "type": "object",
        "description": "The verification report of the /verify page as JSON.",
        "required": ["verified", "checks"],
        "properties": {
            "verified": {"type": "boolean"},
            "checks": {"type": "array", "items": _ref("Check")},
            "errors": _STRINGS,
            "warnings": _STRINGS,
            "notChecked": _STRINGS,
        },
    },
}


def _verify_operation(summary: str, request: str, response: str, doc: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "tags": ["VC-API"],
        "requestBody": {"required": True, "content": _json(request)},
        "responses": {
            "200": {"description": f"The {doc} is verified.", "content": _json(response)},
            "400": {
                "description": f"The {doc} is not verified (complete result body), or the "
                "request is malformed (problem details with a VC error type).",
                "content": {**_json(response), **_json("Problem", PROBLEM_JSON)},
            },
            **LIMIT_RESPONSES,
        },
    }


def _page_problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {HTML: {"schema": {"type": "string"}}, **_json("Problem", PROBLEM_JSON)},
    }


PAGE_LIMIT_RESPONSES = {
    status: _page_problem(response["description"]) for status, response in LIMIT_RESPONSES.items()
}


def _html_or_report(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {HTML: {"schema": {"type": "string"}}, **_json("Report")},
    }


PATHS: dict[str, Any] = {
    "/healthz": {
        "get": {
            "summary": "Liveness check",
            "tags": ["Operations"],
            "responses": {"200": {"description": "Alive.", "content": _json("Health")}},
        }
    },
    "/version": {
        "get": {
            "summary": "Name and version",
            "tags": ["Operations"],
            "responses": {"200": {"description": "The version.", "content": _json("Version")}},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "tags": ["Operations"],
            "responses": {
                "200": {"description": "OpenAPI 3.1.", "content": _json("OpenApiDocument")}
            },
        }
    },
    "/credentials/verify": {
        "post": _verify_operation(
            "Verify a credential (W3C VC-API)",
            "VerifyCredentialRequest",
            "VerifyCredentialResponse",
            "credential",
        )
    },
    "/presentations/verify": {
        "post": _verify_operation(
            "Verify a presentation and every credential in it (W3C VC-API)",
            "VerifyPresentationRequest",
            "VerifyPresentationResponse",
            "presentation",
        )
    },
    "/credentials/issue": {
        "post": {
            "summary": "Sign a credential with this instance's key (W3C VC-API)",
            "tags": ["VC-API"],
            "requestBody": {"required": True, "content": _json("IssueRequest")},
            "responses": {
                "201": {"description": "The signed credential.", "content": _json("IssueResponse")},
                "400": _problem("The credential is malformed or names another issuer."),
                **LIMIT_RESPONSES,
            },
        }
    },
    "/verify": {
        "get": {
            "summary": "Verification page: a form, or the verdict on ?url=",
            "tags": ["Pages"],
            "parameters": [
                {
                    "name": "url",
                    "in": "query",
                    "required": False,
                    "description": "A credential URL to fetch and verify (what a QR code opens).",
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": _html_or_report("The form, or the verdict (HTML, or JSON by Accept)."),
                "400": _html_or_report("The input could not be verified."),
                "4XX": _page_problem("The request was refused (an error page or problem)."),
                **PAGE_LIMIT_RESPONSES,
            },
        },
        "post": {
            "summary": "Verify an uploaded file, pasted JSON/JWT or a URL",
            "tags": ["Pages"],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "text": {"type": "string"},
                                "url": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _html_or_report("The verdict (HTML, or JSON by Accept)."),
                "400": _html_or_report("The input could not be verified."),
                "4XX": _page_problem("The request was refused (an error page or problem)."),
                **PAGE_LIMIT_RESPONSES,
            },
        },
    },
    "/static/validator/{filename}": {
        "get": {
            "summary": "Stylesheet and assets of the verification page",
            "tags": ["Pages"],
            "parameters": [
                {"name": "filename", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {"description": "The file."},
                "404": _problem("No such file."),
            },
        }
    },
}


def build_openapi() -> dict[str, Any]:
    """A fresh copy of the document (callers may not mutate the shared one)."""
    from satchel.wallet.web import openapi_paths

    wallet_paths, wallet_schemas = openapi_paths()
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Satchel",
                "version": __version__,
                "description": "Open Badges 3.0 / W3C Verifiable Credentials wallet and "
                "validator. Every 4xx/5xx error is RFC 9457 problem details.",
                "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
            },
            "paths": {**PATHS, **wallet_paths},
            "components": {"schemas": {**SCHEMAS, **wallet_schemas}},
        }
    )
