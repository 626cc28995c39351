"""Keeping the data honest and small: the audit chain, retention, key rotation
and encrypted backups."""
