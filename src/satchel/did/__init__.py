"""Keys (Multikey, JWK), DID methods (did:key, did:jwk, did:web), resolution and caching."""
