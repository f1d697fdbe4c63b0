"""Placeholder: filled in by the members family of operations."""
