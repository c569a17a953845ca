"""Spreadsheet-safe CSV cells, shared by every CSV the project writes (the access trail, the
biller's charge lines, the visit-history exports). DOMAIN.md §8: formula injection."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ tab or CR (a formula to
    Excel, LibreOffice and Sheets) gets a leading single quote (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


def csv_safe_row(cells) -> list:
    """`csv_safe` of every cell of a row, with the common cases inline (a text that starts
    harmlessly, a non-negative int) for exports of millions of cells."""
    return [
        cell
        if cell.__class__ is str and cell[:1] not in _FORMULA_FIRST
        else str(cell)
        if cell.__class__ is int and cell >= 0
        else csv_safe(cell)
        for cell in cells
    ]
