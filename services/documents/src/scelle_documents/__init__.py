"""Scellé documents service: the vault: folders, rights matrix, bytes on S3, receipts, reads."""
