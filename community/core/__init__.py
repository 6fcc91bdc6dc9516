"""Shared core: clock, errors, domain events, permissions, text handling."""
