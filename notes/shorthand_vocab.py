"""The vocabulary of the note's shorthand (notes/shorthand.py), as data.

Each table maps what clinicians write (lower case, words separated by spaces) to what it means
in the note's structured fields. `ABBREVIATIONS` lists every abbreviation with its meaning, for
the note's legend and for the auditor's list of abbreviations in exports. Pure Python: nothing
here imports Django.
"""

from __future__ import annotations

# --- Techniques (DOMAIN.md §1: what qualifies as 97140) ----------------------------------------
# written form → (technique kind of notes.models.TechniqueKind, method for soft tissue or "")
TECHNIQUES: dict[str, tuple[str, str]] = {
    "mob": ("joint_mob", ""),
    "mobs": ("joint_mob", ""),
    "jt mob": ("joint_mob", ""),
    "joint mob": ("joint_mob", ""),
    "mobilization": ("joint_mob", ""),
    "mobilisation": ("joint_mob", ""),
    "joint mobilization": ("joint_mob", ""),
    "manip": ("manipulation", ""),
    "manipulation": ("manipulation", ""),
    "thrust": ("manipulation", ""),
    "hvla": ("manipulation", ""),
    "stm": ("soft_tissue", "soft tissue mobilization"),
    "soft tissue mobilization": ("soft_tissue", "soft tissue mobilization"),
    "mfr": ("soft_tissue", "myofascial release"),
    "myofascial release": ("soft_tissue", "myofascial release"),
    "iastm": ("soft_tissue", "instrument-assisted soft tissue mobilization"),
    "tpr": ("soft_tissue", "trigger point release"),
    "trp release": ("soft_tissue", "trigger point release"),
    "trigger point release": ("soft_tissue", "trigger point release"),
    "tff": ("soft_tissue", "transverse friction"),
    "transverse friction": ("soft_tissue", "transverse friction"),
    "trx": ("traction", ""),
    "man trx": ("traction", ""),
    "traction": ("traction", ""),
    "manual traction": ("traction", ""),
    "mld": ("mld", ""),
    "manual lymphatic drainage": ("mld", ""),
    "stretch": ("stretching", ""),
    "stretching": ("stretching", ""),
}

# --- Directions (the values of the technique form's direction list) ---------------------------
DIRECTIONS: dict[str, str] = {
    "pa": "PA",
    "posterior-anterior": "PA",
    "cpa": "PA",
    "ap": "AP",
    "anterior-posterior": "AP",
    "upa": "unilateral PA",
    "unilat pa": "unilateral PA",
    "unilateral pa": "unilateral PA",
    "lat glide": "lateral",
    "lateral glide": "lateral",
    "med glide": "medial",
    "medial glide": "medial",
    "inf glide": "inferior",
    "inferior glide": "inferior",
    "sup glide": "superior",
    "superior glide": "superior",
    "post glide": "posterior",
    "posterior glide": "posterior",
    "ant glide": "anterior",
    "anterior glide": "anterior",
    "dist": "distraction",
    "distraction": "distraction",
    "caud": "caudal",
    "caudal": "caudal",
    "ceph": "cephalad",
    "cephalad": "cephalad",
}

# --- Grades: written after "gr", "grade" or "g" (Maitland I-IV; V is a thrust) ---------------
GRADES: dict[str, str] = {
    "i": "I",
    "ii": "II",
    "iii": "III",
    "iv": "IV",
    "v": "V",
    "1": "I",
    "2": "II",
    "3": "III",
    "4": "IV",
    "5": "V",
}
GRADE_WORDS: tuple[str, ...] = ("gr", "grade", "g")

# --- Mode of a mobilization or traction ---------------------------------------------------------
MODES: dict[str, str] = {
    "osc": "oscillatory",
    "oscillatory": "oscillatory",
    "oscillations": "oscillatory",
    "sust": "sustained",
    "sustained": "sustained",
    "interm": "intermittent",
    "intermittent": "intermittent",
}

# --- Patient positions (the values of the technique form's position list) ----------------------
POSITIONS: dict[str, str] = {
    "prone": "prone",
    "supine": "supine",
    "sitting": "sitting",
    "sit": "sitting",
    "seated": "sitting",
    "standing": "standing",
    "stand": "standing",
    "hook-lying": "hook-lying",
    "hooklying": "hook-lying",
    "hl": "hook-lying",
    "sl l": "side-lying left",
    "sl left": "side-lying left",
    "side-lying l": "side-lying left",
    "side-lying left": "side-lying left",
    "sl r": "side-lying right",
    "sl right": "side-lying right",
    "side-lying r": "side-lying right",
    "side-lying right": "side-lying right",
}
# Written without the side that lies down: cannot be placed (which side?).
POSITIONS_NEEDING_SIDE: frozenset[str] = frozenset({"sl", "side-lying", "sidelying"})

# --- Sides ---------------------------------------------------------------------------------------
SIDES: dict[str, str] = {
    "l": "left",
    "lt": "left",
    "left": "left",
    "r": "right",
    "rt": "right",
    "right": "right",
    "bil": "bilateral",
    "bilat": "bilateral",
    "bilateral": "bilateral",
    "bl": "bilateral",
    "b": "bilateral",
    "both sides": "bilateral",
    "both": "bilateral",
}

# --- Spinal levels: C4-5 → cervical spine ------------------------------------------------------
SPINE_REGIONS: dict[str, str] = {
    "c": "Cervical spine",
    "t": "Thoracic spine",
    "l": "Lumbar spine",
    "s": "Sacrum",
}
SPINE_LIMITS: dict[str, int] = {"c": 8, "t": 12, "l": 5, "s": 5}

# --- Structures: written form → (structure as charted, body region, True for a muscle) ---------
STRUCTURES: dict[str, tuple[str, str, bool]] = {
    # muscles
    "upper trap": ("upper trapezius", "Cervical spine", True),
    "upper traps": ("upper trapezius", "Cervical spine", True),
    "ut": ("upper trapezius", "Cervical spine", True),
    "upper trapezius": ("upper trapezius", "Cervical spine", True),
    "levator": ("levator scapulae", "Cervical spine", True),
    "lev scap": ("levator scapulae", "Cervical spine", True),
    "levator scapulae": ("levator scapulae", "Cervical spine", True),
    "scm": ("sternocleidomastoid", "Cervical spine", True),
    "sternocleidomastoid": ("sternocleidomastoid", "Cervical spine", True),
    "scalenes": ("scalenes", "Cervical spine", True),
    "subocc": ("suboccipitals", "Cervical spine", True),
    "suboccs": ("suboccipitals", "Cervical spine", True),
    "suboccipitals": ("suboccipitals", "Cervical spine", True),
    "rhomboids": ("rhomboids", "Thoracic spine", True),
    "pec minor": ("pectoralis minor", "Shoulder", True),
    "pec min": ("pectoralis minor", "Shoulder", True),
    "pec major": ("pectoralis major", "Shoulder", True),
    "lats": ("latissimus dorsi", "Shoulder", True),
    "infraspinatus": ("infraspinatus", "Shoulder", True),
    "supraspinatus": ("supraspinatus", "Shoulder", True),
    "ql": ("quadratus lumborum", "Lumbar spine", True),
    "quadratus lumborum": ("quadratus lumborum", "Lumbar spine", True),
    "paraspinals": ("paraspinals", "Lumbar spine", True),
    "lumbar paraspinals": ("lumbar paraspinals", "Lumbar spine", True),
    "piriformis": ("piriformis", "Hip", True),
    "glut med": ("gluteus medius", "Hip", True),
    "psoas": ("psoas", "Hip", True),
    "itb": ("iliotibial band", "Thigh", True),
    "it band": ("iliotibial band", "Thigh", True),
    "tfl": ("tensor fasciae latae", "Hip", True),
    "hams": ("hamstrings", "Thigh", True),
    "hamstrings": ("hamstrings", "Thigh", True),
    "quads": ("quadriceps", "Thigh", True),
    "gastroc": ("gastrocnemius", "Lower leg", True),
    "gastrocnemius": ("gastrocnemius", "Lower leg", True),
    "soleus": ("soleus", "Lower leg", True),
    "plantar fascia": ("plantar fascia", "Foot", True),
    # joints
    "gh": ("glenohumeral joint", "Shoulder", False),
    "glenohumeral": ("glenohumeral joint", "Shoulder", False),
    "ac": ("acromioclavicular joint", "Shoulder", False),
    "ac joint": ("acromioclavicular joint", "Shoulder", False),
    "sc joint": ("sternoclavicular joint", "Shoulder", False),
    "shoulder": ("shoulder", "Shoulder", False),
    "elbow": ("elbow", "Elbow", False),
    "radial head": ("radial head", "Elbow", False),
    "wrist": ("wrist", "Wrist", False),
    "hip": ("hip", "Hip", False),
    "knee": ("knee", "Knee", False),
    "tf": ("tibiofemoral joint", "Knee", False),
    "tibiofemoral": ("tibiofemoral joint", "Knee", False),
    "patellofemoral": ("patellofemoral joint", "Knee", False),
    "ankle": ("ankle", "Ankle", False),
    "talocrural": ("talocrural joint", "Ankle", False),
    "tc": ("talocrural joint", "Ankle", False),
    "subtalar": ("subtalar joint", "Ankle", False),
    "si": ("sacroiliac joint", "Pelvis", False),
    "sij": ("sacroiliac joint", "Pelvis", False),
    "si joint": ("sacroiliac joint", "Pelvis", False),
    "tmj": ("temporomandibular joint", "Jaw", False),
    "ribs": ("ribs", "Thoracic spine", False),
    "facet": ("facet joint", "Spine", False),
    "oa": ("occipito-atlantal joint", "Cervical spine", False),
    # whole spine regions, named where a level is not
    "c-spine": ("cervical spine", "Cervical spine", False),
    "cervical spine": ("cervical spine", "Cervical spine", False),
    "t-spine": ("thoracic spine", "Thoracic spine", False),
    "thoracic spine": ("thoracic spine", "Thoracic spine", False),
    "l-spine": ("lumbar spine", "Lumbar spine", False),
    "lumbar spine": ("lumbar spine", "Lumbar spine", False),
}

# Written forms that clinicians use for two different things: never placed, always asked.
AMBIGUOUS: dict[str, str] = {
    "pf": "patellofemoral joint or plantar fascia",
    "ms": "muscle or multiple sclerosis",
    "trap": "upper, middle or lower trapezius",
    "traps": "upper, middle or lower trapezius",
    "lat": "lateral glide or latissimus dorsi",
}

# --- Findings (DOMAIN.md §2 E1): words that say what assessment showed -------------------------
# written form → finding category, or "" when the structure decides (a joint: hypomobility; a
# muscle: myofascial restriction).
FINDING_WORDS: dict[str, str] = {
    "restricted": "",
    "restriction": "",
    "hypomobile": "joint",
    "hypomobility": "joint",
    "stiff": "",
    "stiffness": "",
    "limited": "",
    "myofascial restriction": "myofascial",
    "trp": "myofascial",
    "trps": "myofascial",
    "trigger point": "myofascial",
    "trigger points": "myofascial",
    "taut band": "myofascial",
    "guarding": "myofascial",
    "hypertonic": "myofascial",
    "hypertonicity": "myofascial",
    "adhesion": "soft_tissue",
    "adhesions": "soft_tissue",
    "scar": "soft_tissue",
    "neural tension": "neural",
    "ultt+": "neural",
    "slr+": "neural",
    "edema": "edema",
    "oedema": "edema",
    "swelling": "edema",
    "lymphedema": "edema",
}
# Written form → what palpation showed.
PALPATION: dict[str, str] = {
    "ttp": "tender to palpation",
    "tender": "tender to palpation",
    "palpable": "palpable",
}
END_FEELS: dict[str, str] = {
    "firm": "firm",
    "hard": "hard",
    "soft": "soft",
    "springy": "springy",
    "empty": "empty",
    "capsular": "capsular",
    "boggy": "boggy",
}
END_FEEL_WORDS: tuple[str, ...] = ("end feel", "ef", "end-feel")

# --- Technique intensity --------------------------------------------------------------------------
INTENSITIES: dict[str, str] = {
    "light": "light",
    "gentle": "light",
    "mod": "moderate",
    "moderate": "moderate",
    "deep": "deep",
}

# --- Measures: words that name what was measured (matched against the note's measure rows) ----
MEASURE_WORDS: dict[str, str] = {
    "rot": "rotation",
    "rotation": "rotation",
    "flex": "flexion",
    "flexion": "flexion",
    "ext": "extension",
    "extension": "extension",
    "abd": "abduction",
    "abduction": "abduction",
    "add": "adduction",
    "er": "external rotation",
    "ir": "internal rotation",
    "sb": "side bending",
    "pain": "pain",
    "nprs": "pain",
    "vas": "pain",
    "rom": "range of motion",
    "arom": "active",
    "active": "active",
    "prom": "passive",
    "passive": "passive",
    "cx": "cervical",
    "cervical": "cervical",
    "thor": "thoracic",
    "thoracic": "thoracic",
    "lx": "lumbar",
    "lumb": "lumbar",
    "lumbar": "lumbar",
    "girth": "girth",
}

# --- Words that join or qualify without meaning of their own -----------------------------------
FILLER: frozenset[str] = frozenset(
    {
        "and", "with", "at", "of", "the", "a", "an", "to", "on", "in", "+", "&", "pt",
        "patient", "glide", "glides", "mobility", "accessory", "tissue", "was", "noted",
        "muscles",
    }
)  # fmt: skip

# Informed consent and pre-thrust screening (DOMAIN.md §2 E12) are written as
# "consent" / "consent given" and "screen: <what was screened>".
CONSENT_WORDS: tuple[str, ...] = ("consent", "consent given", "consented", "ic")

# Explicit prefixes that say what a line is when the words alone do not.
LINE_PREFIXES: dict[str, str] = {
    "f": "finding",
    "finding": "finding",
    "fx": "finding",
    "t": "technique",
    "tx": "technique",
    "technique": "technique",
    "m": "measure",
    "measure": "measure",
}


# Abbreviations written in capitals (the parser reads any case).
ACRONYMS: frozenset[str] = frozenset(
    {
        "pa", "ap", "cpa", "upa", "stm", "mfr", "iastm", "tpr", "tff", "mld", "hvla", "gh",
        "ac", "ac joint", "sc joint", "si", "sij", "si joint", "tmj", "ql", "itb", "it band",
        "tfl", "scm", "ut", "oa", "tf", "tc", "hl", "sl l", "sl r", "ef", "ic", "ttp", "trp",
        "trps", "ultt+", "slr+", "rom", "arom", "prom", "er", "ir", "sb", "nprs", "vas", "l",
        "r", "b", "bl", "lt", "rt",
    }
)  # fmt: skip


def _pairs() -> tuple[tuple[str, str], ...]:
    """Every abbreviation of the vocabulary with its meaning, sorted: (abbreviation, meaning).

    An abbreviation is a written form that differs from what it stands for (the plain word
    "prone" is not listed, "STM" is)."""
    kind_words = {
        "joint_mob": "joint mobilization",
        "manipulation": "manipulation (thrust)",
        "soft_tissue": "soft tissue mobilization",
        "traction": "manual traction",
        "mld": "manual lymphatic drainage",
        "stretching": "skilled manual stretching",
    }
    found: dict[str, str] = {}

    def add(written: str, meaning: str) -> None:
        if written != meaning.lower() and written.replace("-", " ") != meaning.lower():
            found.setdefault(written, meaning)

    for written, (kind, method) in TECHNIQUES.items():
        add(written, method or kind_words[kind])
    for written, value in DIRECTIONS.items():
        add(written, {"PA": "posterior-anterior", "AP": "anterior-posterior"}.get(value, value))
    for written, value in MODES.items():
        add(written, value)
    for written, value in POSITIONS.items():
        add(written, value)
    for written, value in SIDES.items():
        add(written, value)
    for written, (structure, _region, _muscle) in STRUCTURES.items():
        add(written, structure)
    for written, value in PALPATION.items():
        add(written, value)
    for written, value in INTENSITIES.items():
        add(written, value)
    for written, value in MEASURE_WORDS.items():
        add(written, value)
    for written in GRADE_WORDS:
        add(written, "grade")
    add("ef", "end feel")
    add("ic", "informed consent")
    add("trp", "trigger point")
    add("trps", "trigger points")
    add("ultt+", "upper limb tension test positive")
    add("slr+", "straight leg raise positive")
    return tuple(
        sorted(
            ((abbr.upper() if abbr in ACRONYMS else abbr), meaning)
            for abbr, meaning in found.items()
        )
    )


# (abbreviation, meaning) pairs: the note's legend and the auditor export's list.
ABBREVIATIONS: tuple[tuple[str, str], ...] = _pairs()
