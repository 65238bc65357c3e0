"""The JSON Schemas Satchel ships (1EdTech Open Badges 3.0) and validation against them.

Nothing is fetched: a schema URL that is not bundled raises :class:`SchemaNotBundledError`.
"""

from satchel.validator.schemas.loader import (
    BundledSchema,
    SchemaIntegrityError,
    SchemaNotBundledError,
    SchemaStore,
    bundled_schemas,
)
from satchel.validator.schemas.violations import SchemaOutcome, Violation, dotted_path, validate

OB30_ACHIEVEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB30_ENDORSEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
OB30_PROFILE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json"

__all__ = [
    "OB30_ACHIEVEMENT_CREDENTIAL",
    "OB30_ENDORSEMENT_CREDENTIAL",
    "OB30_PROFILE",
    "BundledSchema",
    "SchemaIntegrityError",
    "SchemaNotBundledError",
    "SchemaOutcome",
    "SchemaStore",
    "Violation",
    "bundled_schemas",
    "dotted_path",
    "validate",
]
