"""Fallback routing: routes of deployments, one retry owner, cooldown, and the stream contract."""
