"""The sign-off rules (notes/audit.py) on hand-built NoteFacts: pure, no database."""

import datetime as dt
import inspect
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notes import audit
from notes.audit_facts import (
    BillingNotice,
    ClinicianFacts,
    FindingFacts,
    GoalLinkFacts,
    MeasureFacts,
    NoteFacts,
    PlanFacts,
    TechniqueFacts,
    TimeBlockFacts,
)

DOS = dt.date(2026, 3, 10)
PLAN_START = dt.date(2026, 2, 10)
PLAN_URL = "/plans/7/"
REPORT_URL = "/plans/7/progress-reports/new/?next=/visits/42/"

PT = ClinicianFacts(
    id=1, name="Pat Okafor, PT, DPT", discipline="PT", licensed=True, assistant=False
)
PTA = ClinicianFacts(
    id=2,
    name="Sam Reyes, PTA",
    discipline="PTA",
    licensed=True,
    assistant=True,
    supervisor="Pat Okafor, PT, DPT",
)
AIDE = ClinicianFacts(
    id=3, name="Ari Dunn, Rehab aide", discipline="AIDE", licensed=False, assistant=False
)

JOINT_MOB = TechniqueFacts(
    id=11,
    kind="joint_mob",
    finding_id=1,
    region="C4-5",
    direction="PA",
    grade="III",
    mode="oscillatory",
    patient_position="prone",
    details="Accessory glide improved progressively; local tenderness eased.",
)
SOFT_TISSUE = TechniqueFacts(
    id=12,
    kind="soft_tissue",
    finding_id=2,
    region="Cervical spine",
    tissue="upper trapezius and levator scapulae",
    laterality="bilateral",
    method="sustained myofascial release",
    intensity="moderate",
    patient_position="supine",
    details="Tissue tension eased on both sides; referred pain less intense.",
)
MANIPULATION = TechniqueFacts(
    id=13,
    kind="manipulation",
    finding_id=1,
    region="T6-7",
    direction="PA",
    grade="V",
    patient_position="prone",
    consent_documented=True,
    screening="No red flags; no osteoporosis or anticoagulation.",
)


def block(id_, start, minutes, *, code="97140", clinician=PT, running=False):
    return TimeBlockFacts(
        id=id_,
        code=code,
        timed=True,
        clinician=clinician,
        started=start,
        minutes=0 if running else minutes,
        running=running,
    )


def s1() -> NoteFacts:
    """SCENARIOS.md S1: cervical post-fusion, visit 5, Medicare Part B — a complete note."""
    return NoteFacts(
        visit_id=42,
        visit_number=5,
        date_of_service=DOS,
        payer_type="medicare_b",
        clinician=PT,
        plan=PlanFacts(
            id=7,
            status="active",
            start_date=PLAN_START,
            cert_from=PLAN_START,
            cert_through=PLAN_START + dt.timedelta(days=89),
            certified_on=PLAN_START + dt.timedelta(days=3),
            has_diagnosis=True,
            functional_limitations="Cannot rotate her head left far enough to check mirrors.",
            url=PLAN_URL,
            progress_report_url=REPORT_URL,
        ),
        findings=(
            FindingFacts(
                id=1,
                category="joint",
                region="Cervical spine",
                structure="C4-5",
                description="Restricted posterior-anterior mobility, firm end feel",
            ),
            FindingFacts(
                id=2,
                category="myofascial",
                region="Cervical spine",
                structure="upper trapezius and levator scapulae",
                laterality="bilateral",
                description="Palpable myofascial restriction",
            ),
        ),
        techniques=(JOINT_MOB, SOFT_TISSUE),
        time_blocks=(block(21, "09:02", 8), block(22, "09:10", 7)),
        measures=(
            MeasureFacts("Active left cervical rotation", Decimal(40), Decimal(58)),
            MeasureFacts("Pain with rotation", Decimal(7), Decimal(4)),
        ),
        goal_links=(GoalLinkFacts(goal_id=5, plan_id=7, status="progressing"),),
        in_treatment_decisions=(
            "Accessory glide improved progressively at C4-5; progressed from grade II to III."
        ),
        reasoning=(
            "Restricted C4-5 PA mobility above the fusion and upper trapezius guarding limit "
            "left rotation; grade III PA mobilization and bilateral soft tissue release restore "
            "segmental motion toward her goal of driving safely."
        ),
        reasoning_confirmed=True,
        skilled_care="",
        last_report_on=None,
        other_treatment_dates=tuple(PLAN_START + dt.timedelta(days=4 * n) for n in (1, 2, 3, 4)),
    )


def codes(items):
    return {item.code for item in items}


def blocking_codes(facts):
    return codes(audit.blocking(audit.evaluate(facts)))


def messages(facts, code):
    return [item.message for item in audit.evaluate(facts) if item.code == code]


# --- S1 and removing each element in turn ----------------------------------------------------


def test_it_finds_nothing_blocking_in_the_complete_s1_note():
    # SCENARIOS.md S1: every audit element satisfied.
    items = audit.evaluate(s1())
    assert audit.blocking(items) == []
    assert all(row.ok for row in audit.checklist(items))


def _without(code: str) -> NoteFacts:
    """S1 with exactly one element of DOMAIN.md §2 missing."""
    note = s1()
    if code == "E1":
        finding = replace(note.findings[0], description="  ")
        return replace(note, findings=(finding, note.findings[1]))
    if code == "E2":
        return replace(note, techniques=())
    if code == "E3":
        return replace(note, techniques=(replace(JOINT_MOB, region="back"), SOFT_TISSUE))
    if code == "E4":
        return replace(note, time_blocks=())
    if code == "E5":
        return replace(note, clinician=AIDE)
    if code == "E6":
        return replace(note, in_treatment_decisions="")
    if code == "E7":
        return replace(note, measures=())
    if code == "E8":
        return replace(note, goal_links=())
    if code == "E9":
        return replace(note, plan=replace(note.plan, has_diagnosis=False))
    if code == "E10":
        return replace(note, reasoning_confirmed=False)
    if code == "E11":
        return replace(note, visit_number=13)
    if code == "E12":
        unconsented = replace(MANIPULATION, consent_documented=False)
        return replace(note, techniques=(*note.techniques, unconsented))
    if code == "E16":
        dates = tuple(PLAN_START + dt.timedelta(days=2 * n) for n in range(1, 10))
        return replace(note, other_treatment_dates=dates)
    raise AssertionError(code)


@pytest.mark.parametrize(
    "code", ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11", "E12", "E16"]
)
def test_it_blocks_on_exactly_the_missing_element(code):
    # DOMAIN.md §2: each element marked "blocks sign-off" blocks on its own.
    facts = _without(code)
    items = audit.blocking(audit.evaluate(facts))
    assert codes(items) == {code}
    row = next(r for r in audit.checklist(audit.evaluate(facts)) if r.code == code)
    assert row.state == "missing"


def test_it_lists_what_s1_lacks_with_only_techniques_and_time():
    # SCENARIOS.md S1: signing with only the techniques and time recorded lists at least
    # in-treatment decisions, measurable response, goal linkage, reasoning sentence.
    note = replace(
        s1(),
        measures=(),
        goal_links=(),
        in_treatment_decisions="",
        reasoning="",
        reasoning_confirmed=False,
    )
    items = audit.blocking(audit.evaluate(note))
    assert {"E6", "E7", "E8", "E10"} <= codes(items)
    labels = {item.label for item in items}
    assert {
        "In-treatment decisions",
        "Measurable response",
        "Goal linkage",
        "Reasoning sentence",
    } <= labels
    assert {item.where for item in items} >= {"#decisions", "#measures", "#goals", "#reasoning"}


def test_it_lists_the_findings_too_when_none_were_recorded():
    # SCENARIOS.md S1 and DOMAIN.md §2 E1/E2: a technique addresses a recorded finding.
    note = replace(s1(), findings=(), measures=(), goal_links=(), in_treatment_decisions="")
    assert {"E1", "E2", "E6", "E7", "E8"} <= blocking_codes(note)
    assert "Choose the finding this technique addresses." in messages(note, "E2")[0]


# --- S4 -------------------------------------------------------------------------------------


def s4() -> NoteFacts:
    """SCENARIOS.md S4: visit 13 of a Medicare plan, 97140 12 minutes, no skilled-care
    justification, 10 treatment days since the last progress report."""
    last_report = dt.date(2026, 2, 20)
    earlier = tuple(last_report + dt.timedelta(days=n) for n in range(1, 10))  # + today: 10
    return replace(
        s1(),
        visit_number=13,
        time_blocks=(block(21, "09:00", 12),),
        skilled_care="",
        last_report_on=last_report,
        other_treatment_dates=earlier,
    )


def test_it_refuses_s4_naming_skilled_care_and_the_progress_report_with_links():
    # SCENARIOS.md S4; DOMAIN.md §2 E11 and E16.
    items = audit.blocking(audit.evaluate(s4()))
    assert codes(items) == {"E11", "E16"}
    by_code = {item.code: item for item in items}
    assert by_code["E11"].label == "Skilled-care justification"
    assert by_code["E11"].where == "#skilled-care"
    assert by_code["E16"].label == "Progress report due"
    assert by_code["E16"].where == REPORT_URL
    assert by_code["E16"].message == (
        "Progress report due: this is treatment day 10 since the last progress report "
        "(Feb 20, 2026). Write the progress report before signing."
    )


def test_it_signs_s4_once_both_are_done():
    # SCENARIOS.md S4: once the justification and the progress report are written, it signs.
    done = replace(
        s4(),
        skilled_care="Segmental hypomobility persists at C4-5; grade selection needs ongoing "
        "skilled assessment of joint response.",
        last_report_on=DOS,
    )
    assert audit.blocking(audit.evaluate(done)) == []


# --- The rules one by one ----------------------------------------------------------------------


def test_it_asks_for_a_specific_finding_structure():
    # DOMAIN.md §2 E1: a specific region/structure.
    note = s1()
    vague = replace(note.findings[0], structure="soft tissue")
    (message,) = messages(replace(note, findings=(vague, note.findings[1])), "E1")
    assert message.startswith("Finding 1: Name the region and structure")


def test_it_names_the_technique_and_what_it_lacks():
    # DOMAIN.md §2 E2: grade for mobilization, etc.
    note = replace(
        s1(), techniques=(replace(JOINT_MOB, grade="", patient_position=""), SOFT_TISSUE)
    )
    (message,) = messages(note, "E2")
    assert message.startswith("Technique 1 (joint mobilization, C4-5): ")
    assert "Choose the mobilization grade: I, II, III or IV." in message
    assert "Enter the patient position" in message


def test_it_refuses_a_technique_without_a_type():
    # DOMAIN.md §2 E2: "manual therapy performed" is not a technique.
    vague = TechniqueFacts(id=9, kind="", finding_id=1, region="C4-5", details="manual therapy")
    assert blocking_codes(replace(s1(), techniques=(vague,))) == {"E2"}
    (message,) = messages(replace(s1(), techniques=(vague,)), "E2")
    assert message.startswith("Technique 1 (C4-5): Choose the technique type: joint mobilization")


def test_it_refuses_a_vague_tissue():
    # DOMAIN.md §2 E3: a specific structure, not "soft tissue".
    vague = replace(SOFT_TISSUE, tissue="soft tissue")
    (message,) = messages(replace(s1(), techniques=(JOINT_MOB, vague)), "E3")
    assert message == (
        "Technique 2 (soft tissue mobilization, Cervical spine): Name the tissue or muscle, "
        'e.g. "upper trapezius", "plantar fascia" — "soft tissue" is too vague for an auditor.'
    )


def test_it_asks_the_side_of_a_paired_structure():
    # DOMAIN.md §2 E3: side where the body has two.
    shoulder = replace(JOINT_MOB, region="glenohumeral joint", direction="posterior")
    (message,) = messages(replace(s1(), techniques=(shoulder,)), "E3")
    assert "Choose the side: left, right or bilateral" in message
    assert blocking_codes(replace(s1(), techniques=(shoulder,))) == {"E3"}


def test_it_reports_a_soft_tissue_side_once():
    # DOMAIN.md §2 E2/E3: the missing side is E3's, not reported twice.
    sideless = replace(SOFT_TISSUE, laterality="")
    assert blocking_codes(replace(s1(), techniques=(JOINT_MOB, sideless))) == {"E3"}


def test_it_asks_to_stop_a_running_timer():
    # DOMAIN.md §2 E4: each block has a start and a stop.
    note = replace(s1(), time_blocks=(block(21, "09:02", 8), block(22, "09:10", 0, running=True)))
    assert "Stop the running 97140 timer started at 09:10." in messages(note, "E4")
    assert blocking_codes(note) == {"E4"}


def test_it_refuses_fewer_than_eight_timed_minutes():
    # DOMAIN.md §2 E4 and §3: fewer than 8 total timed minutes bill no 97140.
    note = replace(s1(), time_blocks=(block(21, "09:02", 7),))
    (message,) = messages(note, "E4")
    assert message.startswith("Total timed minutes are 7; fewer than 8 bill no 97140 unit.")
    assert blocking_codes(replace(note, time_blocks=(block(21, "09:02", 8),))) == set()


def test_it_counts_other_timed_codes_toward_the_eight_minutes():
    # DOMAIN.md §3: the CMS total adds the minutes of all timed codes.
    note = replace(s1(), time_blocks=(block(21, "09:00", 33, code="97110"), block(22, "09:33", 7)))
    assert "E4" not in blocking_codes(note)


def test_it_requires_a_97140_block():
    # DOMAIN.md §2 E4: ≥ 1 97140 time block.
    note = replace(s1(), time_blocks=(block(21, "09:00", 20, code="97110"),))
    assert blocking_codes(note) == {"E4"}


def test_it_refuses_an_aide_performing_a_block():
    # DOMAIN.md §1 and §2 E5: anything an aide performs is not the therapist's 97140.
    note = replace(s1(), time_blocks=(block(21, "09:02", 8), block(22, "09:10", 7, clinician=AIDE)))
    (message,) = messages(note, "E5")
    assert message == (
        "Aides and technicians cannot furnish 97140; the treating clinician must perform and "
        "document it."
    )
    assert audit.blocking(audit.evaluate(note))[0].where == "#clinician"


def test_it_refuses_an_unlicensed_rendering_clinician():
    # DOMAIN.md §2 E5: a licensed PT, OT, DC or assistant.
    unlicensed = replace(PT, id=4, licensed=False)
    note = replace(s1(), clinician=unlicensed)
    assert blocking_codes(note) == {"E5"}
    assert "no license on file" in messages(note, "E5")[0]


def test_it_marks_an_assistant_note_for_co_signature_without_blocking():
    # DOMAIN.md §2 E5 and §5: the app records the supervising therapist.
    note = replace(s1(), clinician=PTA)
    items = audit.evaluate(note)
    assert audit.blocking(items) == []
    assert [i.message for i in [i for i in items if not i.blocking]] == [
        "This note will be marked for co-signature by Pat Okafor, PT, DPT."
    ]


def test_it_blocks_an_assistant_without_a_supervising_therapist():
    # DOMAIN.md §2 E5 and §5
    note = replace(s1(), clinician=replace(PTA, supervisor=""))
    assert blocking_codes(note) == {"E5"}


def test_it_refuses_a_placeholder_for_in_treatment_decisions():
    # DOMAIN.md §2 E6: a non-empty record of assessment and adjustments.
    assert blocking_codes(replace(s1(), in_treatment_decisions="  ok  ")) == {"E6"}


def test_it_requires_both_values_of_a_measure():
    # DOMAIN.md §2 E7: a pre/post measure pair with values.
    note = replace(s1(), measures=(MeasureFacts("Rotation", Decimal(40), None),))
    assert blocking_codes(note) == {"E7"}


@pytest.mark.parametrize(
    "link",
    [
        GoalLinkFacts(goal_id=5, plan_id=7, status="met"),
        GoalLinkFacts(goal_id=5, plan_id=7, status="discontinued"),
        GoalLinkFacts(goal_id=6, plan_id=8, status="progressing"),
    ],
)
def test_it_requires_an_active_goal_of_this_plan(link):
    # DOMAIN.md §2 E8: ≥ 1 active goal of the plan linked.
    note = replace(s1(), goal_links=(link,))
    assert blocking_codes(note) == {"E8"}
    assert messages(note, "E8")[0].startswith("The linked goals are closed")


@pytest.mark.parametrize("status", ["not_started", "progressing"])
def test_it_accepts_a_not_started_or_progressing_goal(status):
    # DOMAIN.md §2 E8
    note = replace(s1(), goal_links=(GoalLinkFacts(goal_id=5, plan_id=7, status=status),))
    assert blocking_codes(note) == set()


@pytest.mark.parametrize(
    "change",
    [{"status": "on_hold"}, {"status": "discharged"}, {"functional_limitations": " "}],
)
def test_it_requires_an_active_plan_with_limitations(change):
    # DOMAIN.md §2 E9: medical necessity.
    note = s1()
    facts = replace(note, plan=replace(note.plan, **change))
    items = audit.blocking(audit.evaluate(facts))
    assert codes(items) == {"E9"}
    assert items[0].where == PLAN_URL


def test_it_asks_for_the_reasoning_sentence_then_its_confirmation():
    # DOMAIN.md §2 E10: a confirmed sentence.
    assert messages(replace(s1(), reasoning=""), "E10") == [
        "Write the clinical reasoning sentence: finding → intervention → functional goal."
    ]
    assert messages(replace(s1(), reasoning_confirmed=False), "E10") == [
        "Confirm the clinical reasoning sentence — a draft is never signed unconfirmed."
    ]


def test_it_follows_the_clinics_skilled_care_visit():
    # DOMAIN.md §2 E11: configurable per clinic.
    assert blocking_codes(replace(s1(), visit_number=13, skilled_care_from_visit=18)) == set()
    assert blocking_codes(replace(s1(), visit_number=18, skilled_care_from_visit=18)) == {"E11"}
    justified = replace(s1(), visit_number=18, skilled_care="Still needs graded mobilization.")
    assert blocking_codes(justified) == set()


def test_it_requires_screening_before_a_thrust():
    # DOMAIN.md §2 E12: consent and screening.
    unscreened = replace(MANIPULATION, screening="")
    note = replace(s1(), techniques=(JOINT_MOB, SOFT_TISSUE, unscreened))
    (message,) = messages(note, "E12")
    assert message.startswith("Technique 3 (manipulation, T6-7): Record the pre-thrust screening")
    assert blocking_codes(note) == {"E12"}


def test_it_passes_modifier_warnings_through_without_blocking():
    # DOMAIN.md §2 E13: a warning; the modifier is not applied.
    notice = BillingNotice(
        "MOD59_UNSUPPORTED",
        "98940 and 97140 treat the same region: no 59/XS modifier applied.",
        "#techniques",
    )
    items = audit.evaluate(replace(s1(), billing_notices=(notice,)))
    (item,) = [i for i in items if i.code == "E13"]
    assert (item.message, item.where, item.blocking) == (notice.message, "#techniques", False)
    assert audit.blocking(items) == []


def test_it_passes_other_billing_warnings_through_as_billing_items():
    # DOMAIN.md §5: MUE, Medicare and chiropractors; DOMAIN.md §3: zero units.
    notices = (
        BillingNotice("MUE", "97140 ×5 is above the MUE of 4 units per day."),
        BillingNotice("CHIRO_MEDICARE", "Medicare does not cover a chiropractor's 97140.", "#x"),
    )
    items = audit.evaluate(replace(s1(), billing_notices=notices))
    billing = [i for i in items if i.code == "BILL"]
    assert [(i.message, i.where, i.blocking) for i in billing] == [
        (notices[0].message, "#time", False),
        (notices[1].message, "#x", False),
    ]
    assert billing[0].label == "Billing (MUE)"
    assert audit.checklist(items)[-1].code == "BILL"


def test_it_warns_of_massage_wording():
    # DOMAIN.md §1 and §2 E14: relaxation or Swedish massage is 97124.
    massage = replace(SOFT_TISSUE, method="Swedish effleurage", details="for relaxation")
    items = audit.evaluate(replace(s1(), techniques=(JOINT_MOB, massage)))
    (item,) = [i for i in items if i.code == "E14"]
    assert not item.blocking
    assert '"relaxation", "swedish" and "effleurage"' in item.message
    assert "97124 massage is not 97140" in item.message
    assert audit.blocking(items) == []


def test_it_warns_when_the_plan_is_not_certified():
    # DOMAIN.md §2 E15: certification missing → warning.
    note = s1()
    items = audit.evaluate(replace(note, plan=replace(note.plan, certified_on=None)))
    (item,) = [i for i in items if i.code == "E15"]
    assert (item.blocking, item.where) == (False, PLAN_URL)


@pytest.mark.parametrize(("payer", "blocks"), [("medicare_b", True), ("commercial", False)])
def test_it_blocks_an_expired_certification_only_for_medicare(payer, blocks):
    # DOMAIN.md §2 E15: certification expired → warning (Medicare: blocks).
    note = s1()
    expired = replace(
        note, payer_type=payer, plan=replace(note.plan, cert_through=DOS - dt.timedelta(days=1))
    )
    (item,) = [i for i in audit.evaluate(expired) if i.code == "E15"]
    assert item.blocking is blocks
    assert item.message.startswith("The certification expired on Mar 9, 2026")


@pytest.mark.parametrize(("days_left", "warns"), [(0, True), (14, True), (15, False)])
def test_it_warns_of_a_recertification_due_within_14_days(days_left, warns):
    # DOMAIN.md §2 E15: recertification due ≤ 14 days.
    note = s1()
    soon = replace(note, plan=replace(note.plan, cert_through=DOS + dt.timedelta(days=days_left)))
    items = [i for i in audit.evaluate(soon) if i.code == "E15"]
    assert bool(items) is warns
    assert not audit.blocking(items)


def test_it_warns_ahead_of_the_progress_report():
    # DOMAIN.md §2 E16: shown ahead, blocks on the 10th treatment day.
    dates = tuple(PLAN_START + dt.timedelta(days=2 * n) for n in range(1, 9))  # + today = 9
    items = [
        i for i in audit.evaluate(replace(s1(), other_treatment_dates=dates)) if i.code == "E16"
    ]
    assert [(i.blocking, i.message) for i in items] == [
        (
            False,
            "A progress report will be due in 1 treatment day (treatment day 9 since the "
            "evaluation, Feb 10, 2026).",
        )
    ]


def test_it_asks_a_therapist_for_the_progress_report_of_an_assistants_visit():
    # DOMAIN.md §4: only a clinician (not an assistant) writes the progress report.
    note = replace(_without("E16"), clinician=PTA)
    (message,) = [i.message for i in audit.blocking(audit.evaluate(note))]
    assert message.endswith("A therapist writes it, not an assistant.")


@pytest.mark.parametrize("payer", ["commercial", "medicare_adv", "medicaid", "self_pay"])
def test_it_asks_no_progress_report_of_other_payers(payer):
    # DOMAIN.md §2 E16: Medicare only.
    note = replace(_without("E16"), payer_type=payer)
    assert [i for i in audit.evaluate(note) if i.code == "E16"] == []


# --- Treatment days (DOMAIN.md §4) -------------------------------------------------------------


def test_it_counts_distinct_treatment_days_including_this_visit():
    # DOMAIN.md §4: treatment days, not visits: two visits on one day are one day.
    day = PLAN_START + dt.timedelta(days=3)
    note = replace(s1(), other_treatment_dates=(day, day, DOS))
    assert note.treatment_days_since_report == 2


def test_it_counts_from_the_last_report_not_the_evaluation():
    # DOMAIN.md §4: at least once every 10 treatment days since the last report.
    note = replace(_without("E16"), last_report_on=PLAN_START + dt.timedelta(days=10))
    assert note.treatment_days_since_report == 5
    assert "E16" not in blocking_codes(note)


@given(
    st.sets(st.integers(min_value=-5, max_value=40), max_size=30),
    st.one_of(st.none(), st.integers(min_value=0, max_value=27)),
    st.sampled_from(["medicare_b", "commercial"]),
)
def test_it_blocks_on_the_tenth_treatment_day_exactly(offsets, report_offset, payer):
    # DOMAIN.md §2 E16 and §4: due on the 10th treatment day since the last report.
    dates = tuple(PLAN_START + dt.timedelta(days=n) for n in offsets)
    last = None if report_offset is None else PLAN_START + dt.timedelta(days=report_offset)
    note = replace(s1(), payer_type=payer, other_treatment_dates=dates, last_report_on=last)
    # The evaluation day (the plan's start) counts before any report; after a report, the
    # days after it (Pub. 100-02 ch. 15 §220.3).
    if last is None:
        expected = len({d for d in dates if PLAN_START <= d <= DOS} | {DOS})
    else:
        expected = len({d for d in dates if last < d <= DOS} | {DOS})
    assert note.treatment_days_since_report == expected
    assert ("E16" in blocking_codes(note)) is (payer == "medicare_b" and expected >= 10)


# --- Properties of the rule list ---------------------------------------------------------------


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["NCCI", "MOD59_UNSUPPORTED", "MUE", "KX", "ZERO_UNITS"]),
            st.text(max_size=40),
        ),
        max_size=5,
    ),
    st.sampled_from(["relaxation", "comfort", "spa", "sustained pressure"]),
)
def test_it_never_blocks_on_warnings(notices, method):
    # DOMAIN.md §2 E13, E14: warnings are shown but do not block.
    note = replace(
        s1(),
        billing_notices=tuple(BillingNotice(c, m) for c, m in notices),
        techniques=(JOINT_MOB, replace(SOFT_TISSUE, method=method)),
    )
    items = audit.evaluate(note)
    assert audit.blocking(items) == []
    assert len([i for i in items if not i.blocking]) == len(notices) + (
        method != "sustained pressure"
    )


@given(
    st.text(max_size=30),
    st.text(max_size=30),
    st.sampled_from(
        ["joint_mob", "manipulation", "soft_tissue", "traction", "mld", "stretching", "", "x"]
    ),
)
def test_it_always_says_where_to_fix_what_is_missing(region, laterality, kind):
    # DOMAIN.md §2: every missing item has a message and a link.
    technique = replace(JOINT_MOB, kind=kind, region=region, laterality=laterality)
    for item in audit.evaluate(replace(s1(), techniques=(technique,))):
        assert item.message.strip()
        assert item.where.startswith(("#", "/"))
        assert item.label


def test_it_keeps_one_rule_per_element_in_domain_order():
    # DOMAIN.md §2: E1..E16, each rule citing its element; then the progress rules E17-E19,
    # each citing the section it follows from.
    assert [code for code, _label, _where in audit.ELEMENTS] == [f"E{n}" for n in range(1, 20)]
    assert len(audit.RULES) == 19
    for n, rule in enumerate(audit.RULES, start=1):
        assert rule.__name__.startswith(f"e{n}_")
        assert f"DOMAIN.md §2 E{n}" in inspect.getdoc(rule) or (
            n > 16 and "DOMAIN.md §" in inspect.getdoc(rule)
        )


def test_it_splits_blocking_items_from_warnings():
    # DOMAIN.md §2: "blocks sign-off" yes vs warning.
    note = replace(_without("E6"), plan=replace(s1().plan, certified_on=None))
    items = audit.evaluate(note)
    assert codes(audit.blocking(items)) == {"E6"}
    assert codes([i for i in items if not i.blocking]) == {"E15"}
    rows = {row.code: row.state for row in audit.checklist(items)}
    assert rows["E6"] == "missing"
    assert rows["E15"] == "warning"
    assert rows["E1"] == "ok"
