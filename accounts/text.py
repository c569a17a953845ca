"""Submitted text made safe to store: PostgreSQL text cannot hold NUL bytes."""


def clean_text(value):
    """A text without NUL bytes and surrounding blanks; other values unchanged."""
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    return value


def strip_nul(data):
    """The submitted data without NUL bytes: the same object when it holds none, else a copy
    (a QueryDict stays a QueryDict)."""
    if data is None:
        return None
    if hasattr(data, "setlist"):  # a QueryDict (a request's POST)
        if not any("\x00" in str(v) for _key, values in data.lists() for v in values):
            return data
        data = data.copy()
        for key in list(data):
            data.setlist(key, [str(v).replace("\x00", "") for v in data.getlist(key)])
        return data
    return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in data.items()}
