"""Git sources read with dulwich (pure Python: no git binary at run time, ADR-0018)."""
