"""Placeholder: filled in by the copy family of operations."""
