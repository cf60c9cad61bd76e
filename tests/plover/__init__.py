"""The PLOVER 2.0 JSON Schema and its generator (see schema.py and README.md here)."""
