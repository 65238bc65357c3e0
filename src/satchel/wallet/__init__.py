"""The learner's wallet: accounts, DIDs and keys, the credential store, import/export, sharing."""
