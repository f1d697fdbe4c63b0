"""Disk image files: inspection (is this upload safe to convert?) and conversion with qemu-img.

Public entry points: `inspector.inspect_image_file`, `conversion.convert_from_raw` (export) and `nbd` (import decodes
through qemu-nbd); refusals are `errors.FormatError` with one stable code per check (`errors.CODES`).
"""
