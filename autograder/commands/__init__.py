"""CLI verbs beyond the core ones: one module per verb, each with register(subparsers, console)."""
