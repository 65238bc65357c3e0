"""The wallet's storage schema: every area's collections, assembled once."""

from satchel.wallet.schema_accounts import ACCOUNT_COLLECTIONS
from satchel.wallet.schema_credentials import CREDENTIAL_COLLECTIONS
from satchel.wallet.schema_offers import OFFER_COLLECTIONS
from satchel.wallet.storage import Schema

WALLET_SCHEMA = Schema(ACCOUNT_COLLECTIONS + CREDENTIAL_COLLECTIONS + OFFER_COLLECTIONS)
