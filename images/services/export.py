"""Placeholder: filled in by the export family of operations."""
