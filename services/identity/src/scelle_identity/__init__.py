"""Scellé identity service: accounts, certificates, PKI, directory, principal tokens."""
