"""Disk image files: inspection (is this upload safe to convert?) and conversion with qemu-img.

Public entry points: `inspector.inspect_image_file`, `qemu.convert_to_raw`, `qemu.convert_from_raw`; refusals are
`errors.FormatError` with one stable code per check (`errors.CODES`).
"""
