"""Credential status: Bitstring Status List, StatusList2021, 1EdTech and OB 2.0 revocation lists."""
