"""The shorthand parser (notes/shorthand.py): the issue's examples, every entry of its
vocabulary, ambiguous input left for the clinician, hostile input answered. Pure: no database."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notes import shorthand_vocab as vocab
from notes.shorthand import MAX_LINES, MAX_TEXT, parse, parse_line

# --- The examples ----------------------------------------------------------------------


def test_the_mobilization_example():
    item = parse_line("gr III PA mob C4-5 prone 09:02-09:10")
    assert item.kind == "technique"
    assert item.fields == {
        "kind": "joint_mob",
        "grade": "III",
        "direction": "PA",
        "region": "C4-5",
        "patient_position": "prone",
    }
    assert (item.code, item.start, item.stop) == ("97140", dt.time(9, 2), dt.time(9, 10))
    # The parser reads; the full form's rules judge (the mode is asked there, not guessed here).
    assert item.ok


def test_the_soft_tissue_example_with_minutes():
    item = parse_line("STM/MFR bil upper trap + levator, supine, 7 min")
    assert item.kind == "technique"
    assert item.fields == {
        "kind": "soft_tissue",
        "method": "soft tissue mobilization / myofascial release",
        "tissue": "upper trapezius and levator scapulae",
        "region": "upper trapezius and levator scapulae",
        "laterality": "bilateral",
        "patient_position": "supine",
    }
    assert item.minutes == 7 and item.start is None


def test_minutes_alone_cannot_be_placed():
    # DOMAIN.md §3: actual start and stop times; "7 min" alone does not say when.
    (item,) = parse("STM/MFR bil upper trap + levator, supine, 7 min").items
    assert not item.ok
    assert "7 min does not say when" in item.problems[0]


def test_minutes_follow_the_block_of_the_line_before():
    entry = parse(
        "gr III PA osc mob C4-5 prone 09:02-09:10\nSTM/MFR bil upper trap + levator, supine, 7 min"
    )
    second = entry.items[1]
    assert (second.start, second.stop, second.placed_after) == (dt.time(9, 10), dt.time(9, 17), 1)
    assert entry.ok


def test_the_finding_example():
    item = parse_line("restricted PA C4-5, firm end feel")
    assert item.kind == "finding"
    assert item.fields == {
        "category": "joint",
        "region": "Cervical spine",
        "structure": "C4-5",
        "end_feel": "firm",
        "description": "Restricted PA",
    }


def test_the_domain_finding_example():
    # DOMAIN.md §2 E1: "restricted PA glide C4-5, firm end feel".
    item = parse_line("restricted PA glide C4-5, firm end feel")
    assert item.ok and item.fields["structure"] == "C4-5" and item.fields["end_feel"] == "firm"


def test_a_muscle_finding_is_myofascial():
    item = parse_line("palpable myofascial restriction bil upper trap + levator")
    assert item.fields["category"] == "myofascial"
    assert item.fields["laterality"] == "bilateral"
    assert item.fields["description"] == "Palpable myofascial restriction"


def test_a_measure_line():
    item = parse_line("L cx rot 40->58")
    assert (item.kind, item.measure_words) == ("measure", ("left", "cervical", "rotation"))
    assert (item.pre, item.post) == (40, 58)
    assert parse_line("pain 7 → 4").post == 4
    assert parse_line("m: girth 32.5>31").pre == parse_line("girth 32.5 to 31").pre


def test_a_time_line():
    item = parse_line("97140 09:02-09:10")
    assert (item.kind, item.code, item.start) == ("time", "97140", dt.time(9, 2))


def test_spinal_levels():
    assert parse_line("mob L5/S1").fields["region"] == "L5-S1"
    assert parse_line("mob c4 - 5").fields["region"] == "C4-5"
    assert parse_line("restricted T6-7").fields["region"] == "Thoracic spine"


# --- Every entry of the vocabulary -------------------------------------------------------------


@pytest.mark.parametrize(("written", "meaning"), vocab.TECHNIQUES.items())
def test_each_technique(written, meaning):
    item = parse_line(f"{written} C4-5")
    assert item.kind == "technique"
    assert item.fields["kind"] == meaning[0]
    if meaning[1]:
        assert item.fields["method"] == meaning[1]


@pytest.mark.parametrize(("written", "meaning"), vocab.DIRECTIONS.items())
def test_each_direction(written, meaning):
    assert parse_line(f"gr III {written} mob C4-5").fields["direction"] == meaning


@pytest.mark.parametrize("word", vocab.GRADE_WORDS)
@pytest.mark.parametrize(("written", "meaning"), vocab.GRADES.items())
def test_each_grade(word, written, meaning):
    assert parse_line(f"{word} {written} PA mob C4-5").fields["grade"] == meaning
    assert parse_line(f"{word}{written}+ PA mob C4-5").fields["grade"] == meaning


@pytest.mark.parametrize(("written", "meaning"), vocab.MODES.items())
def test_each_mode(written, meaning):
    assert parse_line(f"{written} PA mob C4-5").fields["mode"] == meaning


@pytest.mark.parametrize(("written", "meaning"), vocab.POSITIONS.items())
def test_each_position(written, meaning):
    assert parse_line(f"PA mob C4-5 {written}").fields["patient_position"] == meaning


@pytest.mark.parametrize("written", vocab.POSITIONS_NEEDING_SIDE)
def test_side_lying_without_the_side_is_asked(written):
    item = parse_line(f"PA mob C4-5 {written}")
    assert "patient_position" not in item.fields
    assert any("which side lies down" in p for p in item.problems)


@pytest.mark.parametrize(("written", "meaning"), vocab.SIDES.items())
def test_each_side(written, meaning):
    assert parse_line(f"STM {written} upper trap").fields["laterality"] == meaning


@pytest.mark.parametrize(("written", "meaning"), vocab.STRUCTURES.items())
def test_each_structure(written, meaning):
    structure, region, is_muscle = meaning
    if is_muscle:
        item = parse_line(f"STM {written}")
        assert item.fields["tissue"] == structure
    else:
        item = parse_line(f"mob {written}")
        assert item.fields["region"] == structure
    assert item.ok, item.problems
    assert parse_line(f"restricted {written}").fields["region"] == region


@pytest.mark.parametrize(("written", "meaning"), vocab.AMBIGUOUS.items())
def test_each_ambiguous_abbreviation_is_left_for_the_clinician(written, meaning):
    item = parse_line(f"mob {written}")
    assert not item.ok
    assert f"can mean {meaning}" in item.problems[0]
    assert "region" not in item.fields


@pytest.mark.parametrize(("written", "meaning"), vocab.FINDING_WORDS.items())
def test_each_finding_word(written, meaning):
    item = parse_line(f"{written} C4-5")
    assert item.kind == "finding"
    assert item.fields["category"] == (meaning or "joint")
    assert item.ok, item.problems


@pytest.mark.parametrize(("written", "meaning"), vocab.PALPATION.items())
def test_each_palpation_word(written, meaning):
    item = parse_line(f"{written} upper trap")
    assert item.kind == "finding"
    if meaning == "palpable":
        assert item.fields["description"] == "Palpable"
    else:
        assert item.fields["palpation"] == meaning


@pytest.mark.parametrize(("written", "meaning"), vocab.END_FEELS.items())
@pytest.mark.parametrize("end_feel", ["end feel", "EF", "end-feel"])
def test_each_end_feel(written, meaning, end_feel):
    assert parse_line(f"restricted C4-5 {written} {end_feel}").fields["end_feel"] == meaning


@pytest.mark.parametrize(("written", "meaning"), vocab.INTENSITIES.items())
def test_each_intensity(written, meaning):
    assert parse_line(f"STM {written} upper trap").fields["intensity"] == meaning


@pytest.mark.parametrize(("written", "meaning"), vocab.MEASURE_WORDS.items())
def test_each_measure_word(written, meaning):
    item = parse_line(f"{written} 10->20")
    assert item.kind == "measure"
    assert item.measure_words == (meaning,)


@pytest.mark.parametrize("written", vocab.CONSENT_WORDS)
def test_each_consent_word(written):
    # DOMAIN.md §2 E12: a thrust records informed consent and screening.
    item = parse_line(f"PA thrust C4-5 prone {written} screen: VBI negative")
    assert item.fields["consent_documented"] is True
    assert item.fields["screening"] == "VBI negative"
    assert item.fields["grade"] == "V"


@pytest.mark.parametrize(("prefix", "kind"), vocab.LINE_PREFIXES.items())
def test_each_line_prefix(prefix, kind):
    line = {"finding": "C4-5 firm EF", "technique": "mob C4-5", "measure": "pain 7->4"}[kind]
    assert parse_line(f"{prefix}: {line}").kind == kind


def test_every_abbreviation_is_read_by_the_parser():
    # The auditor's list of abbreviations is the parser's own: nothing listed that it cannot
    # read, and the common ones are there.
    pairs = dict(vocab.ABBREVIATIONS)
    assert pairs["STM"] == "soft tissue mobilization"
    assert pairs["PA"] == "posterior-anterior"
    assert pairs["MFR"] == "myofascial release"
    assert pairs["bil"] == "bilateral"
    assert pairs["EF"] == "end feel"
    assert pairs["gr"] == "grade"
    assert "prone" not in pairs  # a plain word is not an abbreviation
    readable = {
        *vocab.TECHNIQUES, *vocab.DIRECTIONS, *vocab.MODES, *vocab.POSITIONS, *vocab.SIDES,
        *vocab.STRUCTURES, *vocab.PALPATION, *vocab.INTENSITIES, *vocab.MEASURE_WORDS,
        *vocab.GRADE_WORDS, *vocab.FINDING_WORDS, *vocab.CONSENT_WORDS, *vocab.END_FEEL_WORDS,
    }  # fmt: skip
    assert {abbreviation.lower() for abbreviation in pairs} <= readable
    assert all(meaning for meaning in pairs.values())


# --- Ambiguous or unplaceable: left unparsed, with a message -----------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("mob manip C4-5", '"mob" and "manip" are two techniques'),
        ("STM L R upper trap", '"L" or "R"? Give one side'),
        ("PA AP mob C4-5", "Give one direction"),
        ("gr III gr IV mob C4-5", "give one grade"),
        ("mob C4-5 09:02", "has no stop time"),
        ("mob C4-5 29:02-29:10", "is not a time of day"),
        ("mob C9-10", "is not a spinal level"),
        ("mob C4-6", "is not a spinal level"),
        ("did the usual", "not recognised as a finding, a technique or a measure"),
        ("STM upper trap with frobnication", '"frobnication" not understood on a technique'),
        ("restricted", "name the structure or segment"),
        ("gr III PA C4-5", "name the technique"),
        ("m: rot", "written before -> after"),
        ("mob C4-5 09:02-09:10 7 min", "is 8 min, not 7 min"),
        ("f: restricted C4-5 gr III", "a grade belongs on a technique, not on a finding"),
        ("restricted C4-5 gr III", "name the technique"),
        ("97140", "give the start and stop times"),
        ("09:02-09:10", "name the timed code"),
    ],
)
def test_what_it_cannot_place_is_left_with_a_message(line, message):
    (item,) = parse(line).items
    assert not item.ok
    assert any(message in p for p in item.problems), item.problems


def test_an_ambiguous_line_never_fills_a_guess():
    item = parse_line("STM L R upper trap")
    assert "laterality" not in item.fields


# --- Hostile input -----------------------------------------------------------------------------


def test_html_is_text_like_any_other():
    (item,) = parse("<script>alert(1)</script>").items
    assert not item.ok  # nothing placed; the page escapes what it shows


def test_nul_and_control_characters_are_dropped():
    item = parse_line("restricted PA C4-5\x00, firm\x07 end feel")
    assert "\x00" not in item.text and item.fields["end_feel"] == "firm"


def test_ten_thousand_characters_are_refused_with_a_message():
    entry = parse("x" * 10_000)
    assert not entry.ok and not entry.items
    assert f"up to {MAX_TEXT:,}" in entry.problems[0]


def test_too_many_lines_are_refused_with_a_message():
    entry = parse("\n".join(["restricted C4-5"] * (MAX_LINES + 1)))
    assert not entry.ok and f"up to {MAX_LINES}" in entry.problems[0]


def test_a_very_long_line_is_refused_with_a_message():
    (item,) = parse("restricted C4-5 " * 30).items
    assert not item.ok and "write one item per line" in item.problems[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_answered(text):
    entry = parse(text)
    for item in entry.items:
        assert item.ok or item.problems
        assert "\x00" not in item.text
