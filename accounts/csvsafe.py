"""Spreadsheet-safe CSV cells, shared by every CSV the project writes (the access trail, the
biller's charge lines, the visit-history exports). DOMAIN.md §8: formula injection."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ tab or CR (a formula to
    Excel, LibreOffice and Sheets) gets a leading single quote (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
