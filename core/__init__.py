"""The bottom layer: errors, request context, units, text and CSV rules. No models, and no import of ours."""
