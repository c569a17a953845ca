"""The small clinical rules of a 97140 note (notes/rules.py): pure, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notes import rules

S1_JOINT_MOB = {
    "region": "C4-5",
    "direction": "PA",
    "grade": "III",
    "mode": "oscillatory",
    "patient_position": "prone",
}
S1_SOFT_TISSUE = {
    "region": "Cervical spine",
    "tissue": "upper trapezius and levator scapulae",
    "laterality": "bilateral",
    "method": "sustained myofascial release",
    "intensity": "moderate",
    "patient_position": "supine",
}
COMPLETE = {
    "joint_mob": S1_JOINT_MOB,
    "manipulation": {
        "region": "L5-S1",
        "direction": "rotation, right side up",
        "grade": "V",
        "patient_position": "side-lying",
        "consent_documented": True,
        "screening": "Neuro screen negative, no red flags",
    },
    "soft_tissue": S1_SOFT_TISSUE,
    "traction": {
        "region": "Cervical spine",
        "mode": "intermittent",
        "force": "moderate",
        "patient_position": "supine",
    },
    "mld": {"region": "Left upper limb", "sequence": "Clear axillary nodes, proximal to distal"},
    "stretching": {"tissue": "Right hamstring", "patient_position": "supine"},
}


# --- region_problem: DOMAIN.md §2 E3 ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "affected area",
        "Affected Area",
        "back",
        "Back.",
        "low back",
        "the patient's back",
        "body",
        "whole body",
        "various",
        "various areas",
        "multiple regions",
        "manual therapy",
        "neck",
        "soft tissue",
        "left side",
        "general",
        "lower extremity",
        "multiple joints",
        "N/A",
        "spine",
    ],
)
def test_it_refuses_vague_regions_with_what_to_write_instead(text):
    # DOMAIN.md §2 E3: vague words ("affected area", "back", "body", "various") are refused.
    message = rules.region_problem(text)
    assert message is not None
    assert '"C4-5"' in message
    assert "right glenohumeral joint" in message


def test_it_quotes_the_vague_entry_in_the_message():
    # DOMAIN.md §2 E3
    assert rules.region_problem("back") == (
        'Name the region and structure, e.g. "C4-5", "right glenohumeral joint", '
        '"bilateral upper trapezius" — "back" is too vague for an auditor.'
    )


def test_it_asks_for_a_region_when_blank():
    # DOMAIN.md §2 E3
    assert rules.region_problem("").startswith("Enter the region and structure treated")


@pytest.mark.parametrize(
    "text",
    [
        "C4-5",
        "L4-5",
        "T6-7",
        "L5-S1",
        "cervical spine",
        "Lumbar spine",
        "right glenohumeral joint",
        "bilateral upper trapezius",
        "upper trapezius",
        "left knee",
        "sacrum",
        "right SI joint",
        "plantar fascia",
        "soft tissue of the right upper trapezius",
    ],
)
def test_it_accepts_specific_regions(text):
    # DOMAIN.md §2 E3: a region/structure a reader can locate.
    assert rules.region_problem(text) is None


@given(st.sampled_from(sorted(rules.VAGUE_REGION_TERMS)), st.sampled_from(["", "left ", "  "]))
def test_it_refuses_every_listed_vague_term_whatever_the_case_or_side(term, prefix):
    # DOMAIN.md §2 E3
    assert rules.region_problem((prefix + term).upper()) is not None


# --- needs_side / side_problem: DOMAIN.md §2 E3 ----------------------------------------------


@pytest.mark.parametrize(
    "region",
    [
        "shoulder",
        "right glenohumeral joint",
        "elbow",
        "wrist",
        "hand",
        "hip",
        "knee",
        "ankle",
        "foot",
        "upper trapezius",
        "levator scapulae",
        "scalenes",
        "rotator cuff",
        "hamstrings",
        "quadriceps",
        "gastrocnemius",
        "IT band",
        "SI joint",
        "sacroiliac joint",
        "TMJ",
        "temporomandibular joint",
        "rib 5",
    ],
)
def test_it_knows_the_structures_the_body_has_two_of(region):
    # DOMAIN.md §2 E3: side where the body has two.
    assert rules.needs_side(region) is True


@pytest.mark.parametrize(
    "region",
    ["C4-5", "L4-5", "lumbar spine", "thoracic spine", "cervical spine", "sacrum", "spasm", ""],
)
def test_it_needs_no_side_for_midline_structures(region):
    # DOMAIN.md §2 E3
    assert rules.needs_side(region) is False


def test_it_asks_for_the_side_of_a_paired_structure():
    # DOMAIN.md §2 E3
    assert rules.side_problem("glenohumeral joint", "") == (
        "Choose the side: left, right or bilateral — the right shoulder is not the left."
    )
    assert rules.side_problem("knee", "sideways") is not None


@pytest.mark.parametrize("side", ["left", "right", "bilateral", "Left"])
def test_it_accepts_a_chosen_side(side):
    # DOMAIN.md §2 E3
    assert rules.side_problem("glenohumeral joint", side) is None


def test_it_accepts_a_side_written_in_the_region_itself():
    # DOMAIN.md §2 E3: "bilateral upper trapezius" already says which side.
    assert rules.side_problem("bilateral upper trapezius", "") is None
    assert rules.side_problem("right shoulder", "") is None


def test_it_does_not_ask_for_a_side_of_a_segment():
    # DOMAIN.md §2 E3
    assert rules.side_problem("C4-5", "") is None


# --- technique_problems: DOMAIN.md §2 E2 -----------------------------------------------------


@pytest.mark.parametrize("kind", rules.TECHNIQUE_KINDS)
def test_it_finds_nothing_missing_in_a_complete_technique(kind):
    # DOMAIN.md §2 E2
    assert rules.technique_problems(kind, COMPLETE[kind]) == []


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (kind, field)
        for kind, required in rules.TECHNIQUE_REQUIRED.items()
        for field, _label in required
    ],
)
def test_it_names_each_missing_required_field(kind, field):
    # DOMAIN.md §2 E2: each technique has its type's required fields.
    fields = dict(COMPLETE[kind])
    fields[field] = False if field == "consent_documented" else ""
    problems = rules.technique_problems(kind, fields)
    assert [f for f, _message in problems] == [field]
    assert problems[0][1].endswith(".")


def test_it_requires_exactly_the_fields_of_each_kind():
    # DOMAIN.md §2 E2 and §1 (the qualifying techniques)
    required = {k: [f for f, _ in v] for k, v in rules.TECHNIQUE_REQUIRED.items()}
    assert required == {
        "joint_mob": ["region", "direction", "grade", "mode", "patient_position"],
        "manipulation": [
            "region",
            "direction",
            "grade",
            "patient_position",
            "consent_documented",
            "screening",
        ],
        "soft_tissue": ["tissue", "method", "laterality", "intensity", "patient_position"],
        "traction": ["region", "mode", "force", "patient_position"],
        "mld": ["region", "sequence"],
        "stretching": ["tissue", "patient_position"],
    }


@pytest.mark.parametrize("grade", ["I", "II", "III", "IV", "iv", "Grade III", "III+", "4"])
def test_it_accepts_mobilization_grades_one_to_four(grade):
    # DOMAIN.md §1: joint mobilization, grades I-IV.
    assert rules.technique_problems("joint_mob", {**S1_JOINT_MOB, "grade": grade}) == []


@pytest.mark.parametrize("grade", ["V", "5", "thrust", "high", "VI"])
def test_it_refuses_a_thrust_grade_on_a_mobilization(grade):
    # DOMAIN.md §1: a thrust is a manipulation ("grade V"), not a mobilization.
    problems = rules.technique_problems("joint_mob", {**S1_JOINT_MOB, "grade": grade})
    assert problems == [("grade", "Choose the mobilization grade: I, II, III or IV.")]


@pytest.mark.parametrize(("grade", "ok"), [("V", True), ("thrust", True), ("III", False)])
def test_it_requires_grade_v_on_a_manipulation(grade, ok):
    # DOMAIN.md §1: manipulation is the high-velocity low-amplitude thrust, "grade V".
    problems = rules.technique_problems(
        "manipulation", {**COMPLETE["manipulation"], "grade": grade}
    )
    assert (problems == []) is ok


def test_it_checks_the_mode_words_of_each_kind():
    # DOMAIN.md §1: mobilization oscillatory or sustained; traction sustained or intermittent.
    assert rules.technique_problems("joint_mob", {**S1_JOINT_MOB, "mode": "intermittent"}) == [
        ("mode", "Choose the mode: oscillatory or sustained.")
    ]
    traction = {**COMPLETE["traction"], "mode": "oscillatory"}
    assert rules.technique_problems("traction", traction) == [
        ("mode", "Choose the mode: sustained or intermittent.")
    ]


def test_it_asks_the_side_of_soft_tissue_only_where_the_tissue_is_paired():
    # DOMAIN.md §2 E3: side where the body has two.
    paired = {**S1_SOFT_TISSUE, "laterality": ""}
    assert [f for f, _ in rules.technique_problems("soft_tissue", paired)] == ["laterality"]
    midline = {**paired, "region": "Lumbar spine", "tissue": "thoracolumbar fascia"}
    assert rules.technique_problems("soft_tissue", midline) == []


def test_it_refuses_manual_therapy_performed_as_a_technique():
    # DOMAIN.md §2 E2: "manual therapy performed" is not a technique.
    problems = rules.technique_problems("", {"details": "manual therapy performed"})
    assert problems[0][0] == "kind"
    assert "joint mobilization" in problems[0][1]


def test_it_tells_what_to_enter_for_a_missing_screening():
    # DOMAIN.md §2 E12
    fields = {**COMPLETE["manipulation"], "screening": " "}
    ((field, message),) = rules.technique_problems("manipulation", fields)
    assert field == "screening"
    assert message.startswith("Record the pre-thrust screening")


# --- massage_words_in: DOMAIN.md §1, §2 E14 ---------------------------------------------------


def test_it_finds_the_massage_words():
    # DOMAIN.md §1: "relaxation", "Swedish", "effleurage", "comfort".
    text = "Swedish effleurage for relaxation and comfort"
    assert rules.massage_words_in(text) == ["relaxation", "swedish", "effleurage", "comfort"]
    assert rules.massage_words_in("General massage to relax") == ["relax", "general massage"]


@pytest.mark.parametrize(
    "text",
    [
        "Sustained myofascial release; spasm eased",
        "Patient comfortable in prone",
        "Grade III PA mobilization C4-5",
        "",
    ],
)
def test_it_finds_no_massage_words_in_skilled_descriptions(text):
    # DOMAIN.md §1: whole words only ("spasm" is not "spa").
    assert rules.massage_words_in(text) == []


# --- reasoning_draft: DOMAIN.md §2 E10 --------------------------------------------------------


def test_it_drafts_a_reasoning_sentence_from_finding_to_goal():
    # DOMAIN.md §2 E10: finding → intervention → functional goal (SCENARIOS.md S1).
    sentence = rules.reasoning_draft(
        "restricted PA mobility at C4-5 (firm end feel) limits left rotation",
        [
            "grade III PA mobilization at C4-5",
            "myofascial release of the bilateral upper trapezius",
        ],
        "Return to driving safely",
    )
    assert sentence == (
        "Restricted PA mobility at C4-5 (firm end feel) limits left rotation; grade III PA "
        "mobilization at C4-5 and myofascial release of the bilateral upper trapezius address "
        "it toward the goal: return to driving safely."
    )


@given(
    st.text(alphabet="abcdefgh -", min_size=1).filter(str.strip),
    st.lists(st.text(alphabet="ijklmnop ", min_size=1).filter(str.strip), max_size=3),
    st.text(alphabet="qrstuvwx ", min_size=1).filter(str.strip),
)
def test_it_mentions_finding_techniques_and_goal(finding, techniques, goal):
    # DOMAIN.md §2 E10
    sentence = rules.reasoning_draft(finding, techniques, goal)
    assert " ".join(finding.split()).rstrip(" .;")[1:] in sentence
    for technique in techniques:
        assert " ".join(technique.split()) in sentence
    assert " ".join(goal.split())[1:] in sentence
    assert sentence.endswith(".")


def test_it_drafts_a_sentence_even_with_nothing_entered():
    # DOMAIN.md §2 E10: the draft is a starting point the clinician completes.
    assert rules.reasoning_draft("", [], "") == (
        "The assessed restriction; manual therapy addresses it toward the plan's functional goal."
    )


# --- progress_report_due, skilled_care_required: DOMAIN.md §4, §2 E11/E16 ---------------------


@pytest.mark.parametrize(("days", "due"), [(0, False), (9, False), (10, True), (11, True)])
def test_it_makes_the_progress_report_due_on_the_tenth_treatment_day(days, due):
    # DOMAIN.md §4: a progress report at least once every 10 treatment days.
    assert rules.progress_report_due(days) is due


@pytest.mark.parametrize(("visit", "due"), [(12, False), (13, True), (20, True)])
def test_it_requires_skilled_care_from_the_configured_visit(visit, due):
    # DOMAIN.md §2 E11: from visit 13 (configurable per clinic).
    assert rules.skilled_care_required(visit, 13) is due
    assert rules.skilled_care_required(visit, 21) is False


def test_it_imports_nothing_from_django():
    # DESIGN.md §1: the rules are pure.
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(rules))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.startswith("django") for name in imported)
