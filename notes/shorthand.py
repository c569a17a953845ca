"""The note's shorthand: one line per item, in the notation clinicians already write, read into
the structured fields of the full form.

    restricted PA C4-5, firm end feel                 → a finding
    gr III PA osc mob C4-5 prone 09:02-09:10          → a technique and its 97140 time block
    STM/MFR bil upper trap + levator, supine, 7 min   → a technique; 7 min follows the block
                                                        before it in the same entry
    L cx rot 40->58                                    → a measure, before → after

Pure Python (nothing here imports Django): text in, `Item`s out. The parser only reads; whether
an item may be charted is decided by the full form's own forms and rules when the clinician
accepts the preview. Whatever the parser cannot place is reported on its line and the line is
left for the clinician: it never guesses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from notes import shorthand_vocab as vocab

MAX_TEXT = 4000  # characters of one entry
MAX_LINES = 30
MAX_LINE = 300

KINDS = ("finding", "technique", "measure", "time")


@dataclass(frozen=True)
class Item:
    """One line, read. `fields` holds the full form's field names and values (a finding's or a
    technique's); `problems` says, in the clinician's words, what keeps the line from being
    charted as written (empty: the parser placed every word)."""

    number: int
    text: str
    kind: str = ""
    fields: dict = field(default_factory=dict)
    code: str = ""
    start: dt.time | None = None
    stop: dt.time | None = None
    minutes: int | None = None
    placed_after: int | None = None  # the line whose block this duration follows
    measure_words: tuple[str, ...] = ()
    pre: Decimal | None = None
    post: Decimal | None = None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_time(self) -> bool:
        return self.start is not None and self.stop is not None


@dataclass(frozen=True)
class Entry:
    items: tuple[Item, ...]
    problems: tuple[str, ...] = ()  # about the whole entry (too long, too many lines)

    @property
    def ok(self) -> bool:
        return not self.problems and all(item.ok for item in self.items)


# --- Patterns read before the words ----------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PREFIX = re.compile(r"^\s*([a-z]+)\s*:\s*", re.I)
_SCREEN = re.compile(r"\bscreen(?:ing)?\s*:\s*([^;]*)", re.I)
_TIME_RANGE = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}):(\d{2})(?![\d:])")
_LONE_TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")
_DURATION = re.compile(r"(?<![\w.])(\d{1,3})\s*(?:minutes|mins|min|m\b|')", re.I)
_ARROW = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s*(?:->|→|=>|>|to)\s*(\d{1,3}(?:\.\d{1,2})?)"
    r"\s*(?:°|deg\b|/10\b|cm\b)?",
    re.I,
)
_SEGMENT = re.compile(r"\b([ctls])(\d{1,2})(?:\s*[-/]\s*([ctls])?(\d{1,2}))?\b", re.I)
_CODE = re.compile(r"\b(9[78]\d{3})\b")
_END_FEEL = re.compile(
    r"\b("
    + "|".join(vocab.END_FEELS)
    + r")\s+(?:end[\s-]?feel|ef)\b|\bend[\s-]?feel\s*:?\s*("
    + "|".join(vocab.END_FEELS)
    + r")\b",
    re.I,
)
_GRADE = re.compile(r"\b(?:grade|gr|g)\.?\s*(iv|v|iii|ii|i|[1-5])[+-]?(?![a-z0-9])", re.I)
_SPLIT = re.compile(r"[\s,;/()\[\]{}]+")


def _spine_level(match: re.Match) -> tuple[str, str] | None:
    """ "c4-5" → ("C4-5", "Cervical spine"); "l5/s1" → ("L5-S1", "Lumbar spine"); None for a
    level the spine does not have ("C9", "L7")."""
    first, upper, second, lower = match.groups()
    first, second = first.lower(), (second or "").lower()
    limit = vocab.SPINE_LIMITS
    if not 0 < int(upper) <= limit[first]:
        return None
    if lower is None:
        return f"{first.upper()}{int(upper)}", vocab.SPINE_REGIONS[first]
    second = second or first
    if not 0 < int(lower) <= limit[second]:
        return None
    if second == first:
        if int(lower) != int(upper) + 1:
            return None
        return f"{first.upper()}{int(upper)}-{int(lower)}", vocab.SPINE_REGIONS[first]
    return f"{first.upper()}{int(upper)}-{second.upper()}{int(lower)}", vocab.SPINE_REGIONS[first]


# --- The word table ----------------------------------------------------------------------------


def _table() -> dict[tuple[str, ...], tuple[str, object]]:
    table: dict[tuple[str, ...], tuple[str, object]] = {}

    def put(category: str, entries) -> None:
        for written, value in entries:
            table.setdefault(tuple(written.split()), (category, value))

    put("ambiguous", vocab.AMBIGUOUS.items())
    put("technique", vocab.TECHNIQUES.items())
    put("finding", vocab.FINDING_WORDS.items())
    put("structure", vocab.STRUCTURES.items())
    put("direction", vocab.DIRECTIONS.items())
    put("position", vocab.POSITIONS.items())
    put("position_side", ((w, w) for w in vocab.POSITIONS_NEEDING_SIDE))
    put("mode", vocab.MODES.items())
    put("side", vocab.SIDES.items())
    put("palpation", vocab.PALPATION.items())
    put("intensity", vocab.INTENSITIES.items())
    put("consent", ((w, True) for w in vocab.CONSENT_WORDS))
    put("measure", vocab.MEASURE_WORDS.items())
    put("descriptive", ((w, w) for w in ("palpable", "marked", "mild", "severe")))
    put("filler", ((w, w) for w in vocab.FILLER))
    return table


TABLE = _table()
_LONGEST = max(len(key) for key in TABLE)


@dataclass
class _Token:
    category: str
    value: object
    written: str


def _words(text: str) -> list[tuple[str, str]]:
    """(lower-case word, as written) pairs; "+" and "&" between words are separators too."""
    text = re.sub(r"\s[+&]\s|(?<=[a-z])[+&](?=[a-z])", " + ", text, flags=re.I)
    out = []
    for raw in _SPLIT.split(text):
        raw = raw.strip(".:")
        if raw:
            out.append((raw.lower(), raw))
    return out


def _tokens(text: str) -> list[_Token]:
    words = _words(text)
    tokens: list[_Token] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            key = tuple(w for w, _ in words[i : i + size])
            if key in TABLE:
                category, value = TABLE[key]
                written = " ".join(raw for _, raw in words[i : i + size])
                tokens.append(_Token(category, value, written))
                i += size
                break
        else:
            tokens.append(_Token("unknown", None, words[i][1]))
            i += 1
    return tokens


# --- Reading one line --------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", str(text or "")).split())


def _time(hour: str, minute: str) -> dt.time | None:
    h, m = int(hour), int(minute)
    if h > 23 or m > 59:
        return None
    return dt.time(h, m)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _join(parts: list[str]) -> str:
    unique = list(dict.fromkeys(p for p in parts if p))
    return " and ".join(unique)


def parse_line(text: str, number: int = 1) -> Item:
    """Read one line of shorthand into an Item (see the module's examples)."""
    line = _clean(text)
    problems: list[str] = []
    if len(line) > MAX_LINE:
        return Item(
            number=number,
            text=line[:MAX_LINE] + "…",
            problems=(
                f"Line {number} is longer than {MAX_LINE} characters: write one item per line.",
            ),
        )
    # Patterns and words are matched in any case; what is quoted back is as written.
    lower = line
    forced = ""
    prefix = _PREFIX.match(lower)
    if prefix and prefix.group(1).lower() in vocab.LINE_PREFIXES:
        forced = vocab.LINE_PREFIXES[prefix.group(1).lower()]
        lower = lower[prefix.end() :]
        line = line[prefix.end() :]

    found: dict[str, object] = {}

    def take(pattern: re.Pattern, key: str, convert) -> None:
        nonlocal lower
        for match in list(pattern.finditer(lower)):
            value = convert(match)
            if value is not None:
                found.setdefault(key, []).append(value)
        lower = pattern.sub(" , ", lower)

    screen = _SCREEN.search(lower)
    if screen:
        found["screening"] = line[screen.start(1) : screen.end(1)].strip()
        lower = lower[: screen.start()] + " , " + lower[screen.end() :]
    bad_times: list[str] = []

    def time_range(m: re.Match):
        start, stop = _time(m.group(1), m.group(2)), _time(m.group(3), m.group(4))
        if start is None or stop is None:
            bad_times.append(m.group(0))
            return None
        return (start, stop)

    take(_TIME_RANGE, "times", time_range)
    lone = _LONE_TIME.findall(lower)
    take(_DURATION, "minutes", lambda m: int(m.group(1)))
    take(_ARROW, "values", lambda m: (_decimal(m.group(1)), _decimal(m.group(2))))
    bad_levels: list[str] = []

    def level(m: re.Match):
        result = _spine_level(m)
        if result is None:
            bad_levels.append(m.group(0).upper())
        return result

    take(_SEGMENT, "levels", level)
    take(_CODE, "codes", lambda m: m.group(1))
    take(_END_FEEL, "end_feel", lambda m: vocab.END_FEELS[(m.group(1) or m.group(2)).lower()])
    take(_GRADE, "grades", lambda m: vocab.GRADES[m.group(1).lower()])
    tokens = _tokens(lower)
    by: dict = {"_order": tokens}
    for token in tokens:
        by.setdefault(token.category, []).append(token)

    for t in bad_times:
        problems.append(f'"{t}" is not a time of day: write times as 09:02-09:10.')
    for t in lone:
        problems.append(f'"{t}" has no stop time: write the block as start-stop, e.g. 09:02-09:10.')
    for t in bad_levels:
        problems.append(f'"{t}" is not a spinal level: write it as e.g. C4-5 or L5-S1.')
    for token in by.get("ambiguous", []):
        problems.append(
            f'"{token.written}" can mean {token.value}: write the one you mean in full.'
        )
    for token in by.get("position_side", []):
        problems.append(f'"{token.written}": say which side lies down, "SL L" or "SL R".')

    # What kind of line this is: the words decide, or the clinician's prefix.
    if forced:
        kind = forced
    elif found.get("values"):
        kind = "measure"
    elif by.get("technique") or found.get("grades"):
        kind = "technique"
    elif by.get("finding") or found.get("end_feel") or by.get("palpation"):
        kind = "finding"
    elif found.get("times") or found.get("minutes") or found.get("codes"):
        kind = "time"
    else:
        kind = ""

    item = Item(number=number, text=line, kind=kind)
    allowed: set[str] = {"filler"}
    if kind == "finding":
        item, allowed = _finding(item, by, found, problems)
    elif kind == "technique":
        item, allowed = _technique(item, by, found, problems)
    elif kind == "measure":
        item, allowed = _measure(item, by, found, problems)
    elif kind == "time":
        allowed = {"filler"}
    else:
        problems.append(
            f"Line {number}: not recognised as a finding, a technique or a measure. Start it "
            'with "f:", "t:" or "m:", or enter it in the full form below.'
        )
    if kind in ("technique", "time"):
        item = _with_time(item, found, problems)
    if found.get("grades") and kind not in ("technique", ""):
        problems.append(f"Line {number}: a grade belongs on a technique, not on a {kind}.")
    if found.get("values") and kind not in ("measure", ""):
        problems.append(f"Line {number}: before -> after values belong on a measure line.")
    unplaced = [
        t.written
        for t in tokens
        if t.category not in allowed | {"ambiguous", "position_side"} and t.written != "+"
    ]
    if unplaced and kind:
        shown = ", ".join(f'"{w}"' for w in unplaced)
        problems.append(
            f"Line {number}: {shown} not understood on a {kind}. Rephrase, or enter it in the "
            "full form below."
        )
    return replace(item, problems=tuple(dict.fromkeys(problems)))


def _one(tokens: list[_Token], label: str, number: int, problems: list[str]):
    values = list(dict.fromkeys(t.value for t in tokens))
    if len(values) > 1:
        shown = " or ".join(f'"{t.written}"' for t in tokens)
        problems.append(f"Line {number}: {shown}? Give one {label}.")
        return None
    return values[0] if values else None


def _structures(by: dict, found: dict) -> tuple[list[str], list[str], list[str]]:
    """(structures, regions, muscles) named on the line, in the order written."""
    structures, regions, muscles = [], [], []
    for name, region in found.get("levels", []):
        structures.append(name)
        regions.append(region)
    for token in by.get("structure", []):
        name, region, is_muscle = token.value
        structures.append(name)
        regions.append(region)
        if is_muscle:
            muscles.append(name)
    return structures, regions, muscles


def _finding(item: Item, by: dict, found: dict, problems: list[str]):
    n = item.number
    structures, regions, muscles = _structures(by, found)
    fields: dict[str, object] = {}
    categories = {t.value for t in by.get("finding", []) if t.value}
    if len(categories) > 1:
        problems.append(f"Line {n}: one finding per line (this one names {len(categories)}).")
    elif categories:
        fields["category"] = categories.pop()
    elif structures:
        fields["category"] = (
            "myofascial" if muscles and len(muscles) == len(structures) else "joint"
        )
    if not structures:
        problems.append(f'Line {n}: name the structure or segment, e.g. "C4-5", "bil upper trap".')
    else:
        fields["structure"] = _join(structures)
        fields["region"] = regions[0]
    side = _one(by.get("side", []), "side", n, problems)
    if side:
        fields["laterality"] = side
    if found.get("end_feel"):
        fields["end_feel"] = found["end_feel"][0]
    palpation = [t.value for t in by.get("palpation", []) if t.value != "palpable"]
    if palpation:
        fields["palpation"] = palpation[0]
    words = [
        t.written if t.category != "direction" else t.written.upper()
        for t in _tokens_in_order(by)
        if t.category in ("finding", "direction", "palpation", "descriptive", "intensity")
    ]
    description = " ".join(words) or "restricted"
    fields["description"] = description[:1].upper() + description[1:]
    allowed = {"finding", "structure", "side", "direction", "palpation", "descriptive"}
    allowed |= {"intensity", "filler"}
    return replace(item, fields=fields), allowed


def _tokens_in_order(by: dict) -> list[_Token]:
    order = by.get("_order")
    return order if order is not None else [t for tokens in by.values() for t in tokens]


def _technique(item: Item, by: dict, found: dict, problems: list[str]):
    n = item.number
    fields: dict[str, object] = {}
    kinds = list(dict.fromkeys(t.value[0] for t in by.get("technique", [])))
    if len(kinds) > 1:
        shown = " and ".join(f'"{t.written}"' for t in by["technique"])
        problems.append(f"Line {n}: {shown} are two techniques: write one technique per line.")
    elif not kinds:
        problems.append(f'Line {n}: name the technique, e.g. "mob", "manip", "STM", "MFR".')
    kind = kinds[0] if len(kinds) == 1 else ""
    if kind:
        fields["kind"] = kind
    grades = list(dict.fromkeys(found.get("grades", [])))
    if len(grades) > 1:
        problems.append(f"Line {n}: give one grade.")
    elif grades:
        fields["grade"] = grades[0]
    elif kind == "manipulation":
        fields["grade"] = "V"  # a manipulation is, by definition, the grade V thrust
    structures, _regions, muscles = _structures(by, found)
    side = _one(by.get("side", []), "side", n, problems)
    if side:
        fields["laterality"] = side
    mode = _one(by.get("mode", []), "mode", n, problems)
    if kind in ("soft_tissue", "stretching"):
        if structures:
            fields["tissue"] = _join(structures)
            fields["region"] = fields["tissue"]
    elif structures:
        fields["region"] = _join(structures)
    if kind == "soft_tissue":
        methods = [t.value[1] for t in by.get("technique", []) if t.value[1]]
        method = " / ".join(dict.fromkeys(methods))
        fields["method"] = f"{mode} {method}" if mode else method
    elif mode and kind in ("joint_mob", "traction"):
        fields["mode"] = mode
    elif mode:
        fields["details"] = mode
    direction = _one(by.get("direction", []), "direction", n, problems)
    if direction:
        fields["direction"] = direction
    position = _one(by.get("position", []), "patient position", n, problems)
    if position:
        fields["patient_position"] = position
    intensity = _one(by.get("intensity", []), "intensity", n, problems)
    if intensity:
        fields["intensity"] = intensity
    if by.get("consent"):
        fields["consent_documented"] = True
    if found.get("screening"):
        fields["screening"] = found["screening"]
    allowed = {"technique", "structure", "side", "mode", "direction", "position", "intensity"}
    allowed |= {"consent", "filler"}
    return replace(item, fields=fields), allowed


def _measure(item: Item, by: dict, found: dict, problems: list[str]):
    n = item.number
    values = found.get("values", [])
    if len(values) != 1:
        problems.append(f"Line {n}: one measure per line, written before -> after (e.g. 40->58).")
        return item, {"measure", "side", "structure", "filler"}
    pre, post = values[0]
    words = [
        t.value[0] if t.category == "structure" else t.value
        for t in _tokens_in_order(by)
        if t.category in ("side", "measure", "structure")
    ]
    words += [name for name, _region in found.get("levels", [])]
    if not words:
        problems.append(f'Line {n}: say what was measured, e.g. "L cx rot 40->58", "pain 7->4".')
    return (
        replace(item, measure_words=tuple(words), pre=pre, post=post),
        {"measure", "side", "structure", "filler"},
    )


def _with_time(item: Item, found: dict, problems: list[str]) -> Item:
    n = item.number
    times = found.get("times", [])
    minutes = found.get("minutes", [])
    codes = list(dict.fromkeys(found.get("codes", [])))
    if len(times) > 1 or len(minutes) > 1:
        problems.append(f"Line {n}: one time block per line.")
        return item
    if len(codes) > 1:
        problems.append(f"Line {n}: one code per line.")
    code = codes[0] if codes else ("97140" if item.kind == "technique" else "")
    if item.kind == "time" and not code:
        problems.append(f'Line {n}: name the timed code, e.g. "97140 09:02-09:10".')
    start, stop = times[0] if times else (None, None)
    count = minutes[0] if minutes else None
    if start and stop and count is not None:
        spanned = _span(start, stop)
        if spanned != count:
            problems.append(
                f"Line {n}: {start:%H:%M}-{stop:%H:%M} is {spanned} min, not {count} min."
            )
    if item.kind == "time" and not (times or minutes):
        problems.append(f"Line {n}: give the start and stop times, e.g. 09:02-09:10.")
    return replace(item, code=code, start=start, stop=stop, minutes=count)


def _span(start: dt.time, stop: dt.time) -> int:
    day = dt.date(2000, 1, 1)
    return int((dt.datetime.combine(day, stop) - dt.datetime.combine(day, start)).seconds // 60)


# --- Reading an entry --------------------------------------------------------------------------


def parse(text: str) -> Entry:
    """Read a whole entry, one item per line, then place durations ("7 min") right after the
    block of the line before them — shown in the preview, never silently."""
    raw = str(text or "").replace("\x00", "")
    if len(raw) > MAX_TEXT:
        return Entry(
            items=(),
            problems=(
                f"This entry is {len(raw):,} characters long; the shorthand takes up to "
                f"{MAX_TEXT:,}. Enter the rest in a second entry or in the full form.",
            ),
        )
    lines = [line for line in raw.splitlines() if _clean(line)]
    if len(lines) > MAX_LINES:
        return Entry(
            items=(),
            problems=(
                f"This entry has {len(lines)} lines; the shorthand takes up to {MAX_LINES} at "
                "a time.",
            ),
        )
    items = [parse_line(line, number) for number, line in enumerate(lines, start=1)]
    return Entry(items=tuple(place_durations(items)))


def place_durations(items: list[Item]) -> list[Item]:
    """A block given only as minutes starts where the previous line's block stopped; without a
    block before it, it cannot be placed (DOMAIN.md §3: actual start and stop times)."""
    placed: list[Item] = []
    previous: Item | None = None
    for item in items:
        if item.minutes is not None and item.start is None and item.kind in ("technique", "time"):
            if previous is not None and previous.stop is not None:
                start = previous.stop
                stop_at = dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(
                    minutes=item.minutes
                )
                if stop_at.date() == dt.date(2000, 1, 1) and item.minutes > 0:
                    item = replace(
                        item, start=start, stop=stop_at.time(), placed_after=previous.number
                    )
            if item.start is None:
                item = replace(
                    item,
                    problems=item.problems
                    + (
                        f"Line {item.number}: {item.minutes} min does not say when: give the "
                        "start and stop, e.g. 09:10-09:17 (or put it right after a line with "
                        "times).",
                    ),
                )
        if item.stop is not None:
            previous = item
        placed.append(item)
    return placed
