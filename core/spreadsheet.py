"""Cells written for spreadsheets, which run formulas: a cell that would start one gets a leading `'`
(OWASP CSV injection)."""

# A spreadsheet treats a cell starting with one of these as a formula (TAB and CR hide a leading one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
