"""The small clinical rules of a 97140 note (DOMAIN.md §1-§4), shared by the note's forms and
the sign-off audit (`notes/audit.py`).

Pure Python: plain strings, numbers and mappings in, plain answers out; nothing here imports
Django, so the forms, the audit, exports and the benchmark all ask the same functions.
Every `*_problem(s)` function returns what the clinician must do, in the clinician's words, or
nothing when the entry is fine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "FINDING_FIELDS",
    "GENERIC_REGION_WORDS",
    "MANIPULATION_GRADE",
    "MASSAGE_WORDS",
    "MOBILIZATION_GRADES",
    "PAIRED_REGIONS",
    "PROGRESS_REPORT_EVERY",
    "SIDES",
    "TECHNIQUE_FIELDS",
    "TECHNIQUE_KINDS",
    "TECHNIQUE_KIND_TABLE",
    "TECHNIQUE_REQUIRED",
    "TECHNIQUE_SHOWN",
    "TechniqueKindRule",
    "VAGUE_REGION_TERMS",
    "massage_words_in",
    "needs_side",
    "progress_report_due",
    "treatment_days_since_report",
    "reasoning_draft",
    "region_problem",
    "side_problem",
    "skilled_care_required",
    "technique_label",
    "technique_problems",
]

# --- E3: a specific region (DOMAIN.md §2 E3) ------------------------------------------------

# Whole entries an auditor cannot locate on a body (compared after lower-casing and squeezing
# spaces). Most vague entries are also caught by GENERIC_REGION_WORDS below; this list names the
# common ones explicitly so the rule reads as the table does.
VAGUE_REGION_TERMS: frozenset[str] = frozenset(
    {
        "",
        "affected area",
        "affected areas",
        "affected region",
        "area",
        "areas",
        "back",
        "low back",
        "lower back",
        "upper back",
        "mid back",
        "body",
        "whole body",
        "full body",
        "entire body",
        "various",
        "various areas",
        "multiple",
        "multiple areas",
        "multiple regions",
        "general",
        "neck",
        "spine",
        "trunk",
        "soft tissue",
        "muscles",
        "joints",
        "manual therapy",
        "treatment area",
        "painful area",
        "see above",
        "n/a",
    }
)

# Words that say nothing about *where*. An entry made only of these words (plus sides and
# filler) is vague: "right side", "lower extremity", "affected soft tissue", "multiple joints".
# One word naming a place ("shoulder", "lumbar", "trapezius", "C4-5") makes it specific.
# "neck" and "back" are lay words: the clinician names the spine region ("cervical spine",
# "lumbar spine") or the segment instead, which also tells the auditor the level.
GENERIC_REGION_WORDS: frozenset[str] = frozenset(
    {
        # places that are not places
        "affected", "area", "areas", "region", "regions", "part", "parts", "site", "sites",
        "zone", "zones", "spot", "spots", "location", "everywhere", "body", "back", "neck",
        "spine", "spinal", "trunk", "torso", "limb", "limbs", "extremity", "extremities",
        # quantity and extent
        "various", "multiple", "several", "many", "general", "generalized", "generalised",
        "global", "whole", "entire", "full", "total", "all", "overall", "diffuse", "widespread",
        # tissue without a name
        "soft", "tissue", "tissues", "muscle", "muscles", "musculature", "muscular", "joint",
        "joints", "fascia", "fascial", "myofascial", "structure", "structures",
        # position words that need a noun
        "upper", "lower", "mid", "middle", "low", "high",
        # what was done rather than where
        "manual", "therapy", "treatment", "treated", "technique", "techniques", "massage",
        "mobilization", "mobilisation",
        # symptoms rather than places
        "painful", "pain", "sore", "tender", "tight", "problem", "involved", "symptomatic",
        "injured", "target", "targeted",
        # references and filler
        "same", "above", "below", "see", "as", "per", "n/a", "na", "none", "etc", "and", "or",
        "of", "the", "a", "an", "to", "in", "on", "at", "with", "patient", "patients", "pt",
        "pts", "s",
        # sides alone
        "left", "right", "bilateral", "bilaterally", "both", "side", "sides", "l", "r", "b",
    }
)  # fmt: skip

_REGION_EXAMPLES = '"C4-5", "right glenohumeral joint", "bilateral upper trapezius"'
_WORD_RE = re.compile(r"[a-z0-9/]+")


def _normal(text: str) -> str:
    return " ".join(str(text or "").lower().split())


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(_normal(text).replace("'", ""))


def region_problem(text: str) -> str | None:
    """What is wrong with a region/structure entry, or None when it is specific enough.

    DOMAIN.md §2 E3: the technique names a region/structure; vague words ("affected area",
    "back", "body", "various") are refused. An entry is vague when it is blank, is one of
    VAGUE_REGION_TERMS, or is made only of GENERIC_REGION_WORDS (sides, "area", "soft tissue",
    "multiple", "upper", ...). Any word that names a place makes it specific: a segment
    ("C4-5", "L4-5", "T6-7"), a spine region ("cervical spine"), a joint ("right glenohumeral
    joint"), a muscle ("upper trapezius").
    """
    normal = _normal(text)
    if not normal:
        return f"Enter the region and structure treated, e.g. {_REGION_EXAMPLES}."
    words = _words(normal)
    if normal in VAGUE_REGION_TERMS or all(word in GENERIC_REGION_WORDS for word in words):
        shown = str(text).strip()
        return (
            f"Name the region and structure, e.g. {_REGION_EXAMPLES} — "
            f'"{shown}" is too vague for an auditor.'
        )
    return None


# --- E3: side where the body has two ---------------------------------------------------------

SIDES = ("left", "right", "bilateral")

# Structures the body has two of (matched as whole words, plural "s" allowed). Midline
# structures — a spinal segment (C4-5), the cervical/thoracic/lumbar spine, the sacrum, the
# sternum — are absent on purpose: they need no side.
PAIRED_REGIONS: tuple[str, ...] = (
    # upper limb
    "shoulder", "glenohumeral", "acromioclavicular", "ac joint", "sternoclavicular",
    "scapula", "scapular", "scapulothoracic", "clavicle", "axilla", "arm", "upper arm",
    "humerus", "elbow", "forearm", "radioulnar", "radial head", "wrist", "carpal", "hand",
    "finger", "thumb", "carpometacarpal", "metacarpophalangeal", "interphalangeal",
    # lower limb
    "hip", "groin", "inguinal", "thigh", "knee", "patella", "patellofemoral", "tibiofemoral",
    "leg", "lower leg", "calf", "ankle", "talocrural", "subtalar", "foot", "heel", "toe",
    "hallux", "metatarsal", "plantar fascia", "achilles",
    # muscles and soft tissue of one side
    "trapezius", "upper trapezius", "levator scapulae", "scalene", "scalenes",
    "sternocleidomastoid", "scm", "suboccipital", "rhomboid", "pectoralis", "pec", "latissimus",
    "rotator cuff", "supraspinatus", "infraspinatus", "subscapularis", "teres", "deltoid",
    "biceps", "triceps", "paraspinal", "paraspinals", "erector spinae", "quadratus lumborum",
    "psoas", "iliopsoas", "gluteus", "glute", "gluteal", "piriformis", "adductor", "abductor",
    "hamstring", "quadriceps", "quad", "gastrocnemius", "soleus", "tensor fasciae latae", "tfl",
    "it band", "itb", "iliotibial", "masseter",
    # paired joints of the axial skeleton
    "si joint", "sacroiliac", "tmj", "temporomandibular", "rib", "costovertebral",
    "costotransverse", "facet",
    # lymphatic territories
    "breast", "quadrant",
)  # fmt: skip

_PAIRED_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(term) for term in sorted(PAIRED_REGIONS, key=len, reverse=True))
    + r")s?\b"
)


def needs_side(region: str) -> bool:
    """True when the region names a structure the body has two of (DOMAIN.md §2 E3: "with side
    where the body has two"): shoulder, knee, upper trapezius, SI joint, TMJ, a rib...
    False for midline structures: a segment (C4-5), the cervical/lumbar spine, the sacrum."""
    return bool(_PAIRED_RE.search(_normal(region)))


_SIDE_WORDS = frozenset({"left", "right", "bilateral", "bilaterally"})


def side_problem(region: str, laterality: str) -> str | None:
    """What is wrong with the side of a technique or finding, or None (DOMAIN.md §2 E3).

    The side is given by the laterality field, or by the region text itself ("right
    shoulder", "bilateral upper trapezius")."""
    if not needs_side(region) or _normal(laterality) in SIDES:
        return None
    if _SIDE_WORDS.intersection(_words(region)):
        return None
    return "Choose the side: left, right or bilateral — the right shoulder is not the left."


# --- E1: what a pre-treatment finding records -------------------------------------------------

# Every clinical field of a finding (notes.models.Finding): what the form asks, carry-forward
# copies and fingerprints, and the benchmark seed writes.
FINDING_FIELDS = (
    "category",
    "region",
    "structure",
    "laterality",
    "description",
    "end_feel",
    "pain_reproduction",
    "palpation",
    "tests",
)

# --- E2: the technique's required fields ------------------------------------------------------

MOBILIZATION_GRADES = ("I", "II", "III", "IV")
MANIPULATION_GRADE = "V"

# Every field of a technique beyond its kind and the finding it addresses (notes.models.
# Technique): what the form asks, the audit facts carry and the signed content holds.
TECHNIQUE_FIELDS = (
    "region",
    "laterality",
    "direction",
    "grade",
    "mode",
    "patient_position",
    "tissue",
    "method",
    "intensity",
    "force",
    "sequence",
    "consent_documented",
    "screening",
    "details",
)


@dataclass(frozen=True)
class TechniqueKindRule:
    """One kind of 97140 technique (DOMAIN.md §1): its stored value and labels, the fields the
    form shows for it, and what makes it specific (DOMAIN.md §2 E2) as (field, label);
    "laterality" is required only where the structure is paired."""

    name: str  # the Python name of the choice
    value: str  # stored in notes.models.Technique.kind
    label: str  # the form's choice
    words: str  # in a sentence: "joint mobilization"
    shown: tuple[str, ...]
    required: tuple[tuple[str, str], ...]


# The one table of technique kinds: the model's choices, the form's fields by kind, the
# rules' required fields and labels, the phrases and the audit all derive from it.
TECHNIQUE_KIND_TABLE: tuple[TechniqueKindRule, ...] = (
    TechniqueKindRule(
        "JOINT_MOBILIZATION",
        "joint_mob",
        "Joint mobilization",
        "joint mobilization",
        shown=("region", "laterality", "direction", "grade", "mode", "patient_position"),
        required=(
            ("region", "region / segment"),
            ("direction", "direction"),
            ("grade", "grade (I-IV)"),
            ("mode", "mode (oscillatory or sustained)"),
            ("patient_position", "patient position"),
        ),
    ),
    TechniqueKindRule(
        "MANIPULATION",
        "manipulation",
        "Manipulation (thrust)",
        "manipulation",
        shown=(
            "region",
            "laterality",
            "direction",
            "grade",
            "patient_position",
            "consent_documented",
            "screening",
        ),
        required=(
            ("region", "region / segment"),
            ("direction", "direction"),
            ("grade", "grade V (thrust)"),
            ("patient_position", "patient position"),
            ("consent_documented", "informed consent"),
            ("screening", "pre-thrust screening"),
        ),
    ),
    TechniqueKindRule(
        "SOFT_TISSUE",
        "soft_tissue",
        "Soft tissue mobilization / myofascial release",
        "soft tissue mobilization",
        shown=("region", "tissue", "method", "laterality", "intensity", "patient_position"),
        required=(
            ("tissue", "tissue / muscle"),
            ("method", "method"),
            ("laterality", "side"),
            ("intensity", "intensity"),
            ("patient_position", "patient position"),
        ),
    ),
    TechniqueKindRule(
        "TRACTION",
        "traction",
        "Manual traction",
        "manual traction",
        shown=("region", "laterality", "mode", "force", "patient_position"),
        required=(
            ("region", "region"),
            ("mode", "mode (sustained or intermittent)"),
            ("force", "force"),
            ("patient_position", "patient position"),
        ),
    ),
    TechniqueKindRule(
        "LYMPHATIC",
        "mld",
        "Manual lymphatic drainage",
        "manual lymphatic drainage",
        shown=("region", "laterality", "sequence", "patient_position"),
        required=(("region", "region"), ("sequence", "sequence")),
    ),
    TechniqueKindRule(
        "STRETCHING",
        "stretching",
        "Skilled manual stretching",
        "skilled manual stretching",
        shown=("region", "tissue", "laterality", "patient_position"),
        required=(("tissue", "tissue / muscle"), ("patient_position", "patient position")),
    ),
)
TECHNIQUE_KINDS = tuple(kind.value for kind in TECHNIQUE_KIND_TABLE)
TECHNIQUE_REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    kind.value: kind.required for kind in TECHNIQUE_KIND_TABLE
}
# The fields each kind asks for, shown by kind on the form.
TECHNIQUE_SHOWN: dict[str, tuple[str, ...]] = {
    kind.value: kind.shown for kind in TECHNIQUE_KIND_TABLE
}
_KIND_LABELS = {kind.value: kind.words for kind in TECHNIQUE_KIND_TABLE}

# What to enter, per field (the kind decides a few of them).
_ENTER = {
    "region": f"Enter the region or segment treated, e.g. {_REGION_EXAMPLES}.",
    "direction": 'Enter the direction, e.g. "PA", "AP", "lateral glide", "caudal".',
    "patient_position": 'Enter the patient position, e.g. "prone", "supine", "side-lying".',
    "tissue": 'Name the tissue or muscle, e.g. "upper trapezius", "plantar fascia".',
    "method": (
        'Enter the method, e.g. "sustained pressure", "transverse friction", '
        '"instrument-assisted", "myofascial release".'
    ),
    "laterality": "Choose the side: left, right or bilateral — the right shoulder is not the left.",
    "intensity": 'Enter the intensity, e.g. "light", "moderate", "deep".',
    "force": 'Enter the force, e.g. "grade II", "25% body weight", "moderate".',
    "sequence": (
        'Enter the drainage sequence, e.g. "clear cervical and axillary nodes, then proximal '
        'to distal arm".'
    ),
    "consent_documented": (
        "Record that the patient gave informed consent to the thrust after hearing its risks."
    ),
    "screening": (
        'Record the pre-thrust screening, e.g. "VBI and upper cervical ligament tests negative, '
        'no red flags".'
    ),
}
_GRADE_ENTER = {
    "joint_mob": "Choose the mobilization grade: I, II, III or IV.",
    "manipulation": 'A manipulation is a grade V thrust: set the grade to "V".',
}
_MODE_WORDS = {
    "joint_mob": ("oscillatory", "sustained"),
    "traction": ("sustained", "intermittent"),
}
_MODE_ENTER = {
    "joint_mob": "Choose the mode: oscillatory or sustained.",
    "traction": "Choose the mode: sustained or intermittent.",
}
_ARABIC_GRADES = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}


def _grade(value: object) -> str:
    """ "Grade III+" → "III", "3" → "III", "thrust" → "V"."""
    text = _normal(str(value or "")).removeprefix("grade").strip().rstrip("+-").strip().upper()
    if text == "THRUST":
        return MANIPULATION_GRADE
    return _ARABIC_GRADES.get(text, text)


def _blank(value: object) -> bool:
    if isinstance(value, bool):
        return not value
    return value is None or not str(value).strip()


def technique_problems(kind: str, fields: Mapping[str, object]) -> list[tuple[str, str]]:
    """The fields a technique of this kind still needs, as (field name, what to enter).

    DOMAIN.md §2 E2: each technique has a type and its type's required fields (grade for a
    mobilization, etc.); "manual therapy performed" is not a technique. `fields` maps
    notes.models.Technique field names to their values. The side is asked for only where the
    structure (tissue, else region) is paired (E3).
    """
    if kind not in TECHNIQUE_REQUIRED:
        labels = ", ".join(_KIND_LABELS.values())
        return [("kind", f"Choose the technique type: {labels}.")]
    problems: list[tuple[str, str]] = []
    for field, _label in TECHNIQUE_REQUIRED[kind]:
        value = fields.get(field)
        if field == "laterality":
            where = str(fields.get("tissue") or "") + " " + str(fields.get("region") or "")
            if side_problem(where, str(value or "")):
                problems.append((field, _ENTER[field]))
        elif field == "grade":
            allowed = MOBILIZATION_GRADES if kind == "joint_mob" else (MANIPULATION_GRADE,)
            if _grade(value) not in allowed:
                problems.append((field, _GRADE_ENTER[kind]))
        elif field == "mode" and kind in _MODE_WORDS:
            if not any(word in _words(str(value or "")) for word in _MODE_WORDS[kind]):
                problems.append((field, _MODE_ENTER[kind]))
        elif _blank(value):
            problems.append((field, _ENTER[field]))
    return problems


def technique_label(kind: str) -> str:
    """The technique kind in plain words ("joint mobilization")."""
    return _KIND_LABELS.get(kind, kind or "technique")


# --- E14: massage-like wording ----------------------------------------------------------------

MASSAGE_WORDS = (
    "relaxation",
    "relax",
    "swedish",
    "effleurage",
    "comfort",
    "spa",
    "general massage",
)
_MASSAGE_RES = tuple((word, re.compile(r"\b" + re.escape(word) + r"\b")) for word in MASSAGE_WORDS)


def massage_words_in(text: str) -> list[str]:
    """The words of MASSAGE_WORDS found in the text (whole words, in MASSAGE_WORDS order).

    DOMAIN.md §1 and §2 E14: relaxation or general (Swedish) massage is 97124, not 97140; a
    technique that reads like massage for comfort is a compliance risk (a warning, not a
    refusal). Whole words only: "spasm" is not "spa", "comfortable" is not "comfort".
    """
    normal = _normal(text)
    return [word for word, pattern in _MASSAGE_RES if pattern.search(normal)]


# --- E10: the clinical reasoning sentence -----------------------------------------------------


def _join(items: Iterable[str]) -> str:
    parts = [item for item in items if item]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _clause(text: str) -> str:
    return " ".join(str(text or "").split()).rstrip(" .;")


def reasoning_draft(finding: str, techniques: list[str], goal: str) -> str:
    """A draft clinical reasoning sentence tying finding → intervention → functional goal
    (DOMAIN.md §2 E10). The clinician edits and confirms it; a draft is never signed as is.

    e.g. "Restricted PA mobility at C4-5 (firm end feel) limits left rotation; grade III PA
    mobilization at C4-5 and myofascial release of the bilateral upper trapezius address it
    toward the goal: return to driving safely."
    """
    found = _clause(finding) or "The assessed restriction"
    done = [_clause(t) for t in techniques if _clause(t)]
    intervention = _join(done) or "manual therapy"
    verb = "addresses" if len(done) <= 1 else "address"
    aim = _clause(goal)
    aim = aim[:1].lower() + aim[1:] if aim[:2] != aim[:2].upper() else aim
    target = f"the goal: {aim}" if aim else "the plan's functional goal"
    return f"{found[:1].upper()}{found[1:]}; {intervention} {verb} it toward {target}."


# --- E11, E16: how far into the plan ----------------------------------------------------------


def clock_minutes(started: dt.datetime, stopped: dt.datetime | None) -> int:
    """Whole clock minutes of a time block (09:02-09:10 is 8); a running block has none."""
    if stopped is None:
        return 0
    return int((stopped - started).total_seconds() // 60)


PROGRESS_REPORT_EVERY = 10  # treatment days (Pub. 100-02 ch. 15 §220.3; DOMAIN.md §4)


def treatment_days_since_report(
    treatment_dates: Iterable[dt.date],
    *,
    plan_start: dt.date,
    last_report_on: dt.date | None,
    day: dt.date,
) -> int:
    """The distinct treatment days of a plan up to `day` that count toward the next progress
    report (DOMAIN.md §4; Pub. 100-02 ch. 15 §220.3: the reporting period starts on the first
    day of treatment, the evaluation day included). A progress report closes its period: the
    days after it count. Pass only the plan's own visits' dates: another plan's never count."""
    if last_report_on is None:
        return len({d for d in treatment_dates if plan_start <= d <= day})
    return len({d for d in treatment_dates if last_report_on < d <= day})


def progress_report_due(treatment_days_since_report: int) -> bool:
    """Medicare: a progress report is due on the 10th treatment day since the last one
    (DOMAIN.md §4 and §2 E16). The count includes the visit being charted."""
    return treatment_days_since_report >= PROGRESS_REPORT_EVERY


def skilled_care_required(visit_number: int, from_visit: int) -> bool:
    """From the clinic's configured visit of a plan on (13 by default), the note must say why a
    licensed clinician's skill is still needed (DOMAIN.md §2 E11)."""
    return visit_number >= from_visit
