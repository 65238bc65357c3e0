"""Storage: a narrow port (:mod:`.port`) with an embedded SQLite adapter and a MongoDB one.

Open a store with :func:`open_store`; the rest of the wallet only sees :class:`Store`.
"""

from satchel.wallet.storage.factory import open_store
from satchel.wallet.storage.port import (
    Collection,
    ConflictError,
    Document,
    DuplicateKeyError,
    FieldType,
    Index,
    InvalidDocumentError,
    InvalidQueryError,
    NotFoundError,
    Operations,
    Page,
    Schema,
    SchemaError,
    StorageError,
    StorageUnavailableError,
    Store,
    TransactionAbortedError,
    TransientConflictError,
    in_transaction,
)

__all__ = [
    "Collection",
    "ConflictError",
    "Document",
    "DuplicateKeyError",
    "FieldType",
    "Index",
    "InvalidDocumentError",
    "InvalidQueryError",
    "NotFoundError",
    "Operations",
    "Page",
    "Schema",
    "SchemaError",
    "StorageError",
    "StorageUnavailableError",
    "Store",
    "TransactionAbortedError",
    "TransientConflictError",
    "in_transaction",
    "open_store",
]
