"""CSV written for spreadsheets. Cells that would start a formula get a leading `'` (OWASP CSV injection);
quoting and line ends follow RFC 4180 (python's csv with QUOTE_MINIMAL and CRLF)."""

import csv
from collections.abc import Iterable, Iterator

# A spreadsheet treats a cell starting with one of these as a formula (TAB and CR hide a leading one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written to it, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text of `rows`, a line at a time, after a UTF-8 byte order mark (Excel needs it for Chinese)."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    yield BOM
    for row in rows:
        yield writer.writerow(row)
