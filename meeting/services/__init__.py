"""Use cases: each function loads what it needs, applies the domain's rules, commits, announces."""
