"""Data-subject rights (GDPR art. 15-18): access requests with third-party
redaction, rectification, restriction and refused erasure."""
