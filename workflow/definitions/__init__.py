"""Program definitions: load a rule file, validate it fully, compile it once per (key, version)."""
