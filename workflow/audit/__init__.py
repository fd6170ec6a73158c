"""Audit: the chains' verification, the staff chain of role grants, daily digests, the read log,
the auditor's timeline and its exports (CSV, PDF)."""
