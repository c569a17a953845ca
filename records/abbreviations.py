"""The abbreviations a packet's notes may use, with their meaning: one list, in one place (it
can later read the note shorthand's vocabulary instead)."""

from __future__ import annotations

import re
from collections.abc import Iterable

ABBREVIATIONS: dict[str, str] = {
    "AROM": "active range of motion",
    "PROM": "passive range of motion",
    "ROM": "range of motion",
    "PA": "posterior-anterior",
    "AP": "anterior-posterior",
    "HVLA": "high-velocity low-amplitude (thrust manipulation)",
    "MFR": "myofascial release",
    "STM": "soft tissue mobilization",
    "MLD": "manual lymphatic drainage",
    "TUG": "Timed Up and Go test",
    "NDI": "Neck Disability Index",
    "ODI": "Oswestry Disability Index",
    "LEFS": "Lower Extremity Functional Scale",
    "DASH": "Disabilities of the Arm, Shoulder and Hand",
    "NPRS": "numeric pain rating scale (0-10)",
    "HEP": "home exercise program",
    "CMT": "chiropractic manipulative treatment",
    "PT": "physical therapy / physical therapist",
    "PTA": "physical therapist assistant",
    "OT": "occupational therapy / occupational therapist",
    "OTR/L": "registered, licensed occupational therapist",
    "COTA": "certified occupational therapy assistant",
    "DPT": "Doctor of Physical Therapy",
    "DC": "Doctor of Chiropractic",
    "NPI": "National Provider Identifier",
    "MRN": "medical record number",
    "CPT": "Current Procedural Terminology (AMA) code",
    "ICD-10-CM": "International Classification of Diseases, 10th revision, Clinical Modification",
    "GP": "modifier: services under a physical therapy plan of care",
    "GO": "modifier: services under an occupational therapy plan of care",
    "CQ": "modifier: furnished in whole or part by a physical therapist assistant",
    "CO": "modifier: furnished in whole or part by an occupational therapy assistant",
    "KX": "modifier: therapy above the annual threshold, medically necessary",
    "59": "modifier: distinct procedural service",
    "XE": "modifier: separate encounter",
    "XS": "modifier: separate structure",
    "XP": "modifier: separate practitioner",
    "XU": "modifier: unusual non-overlapping service",
    "SHA-256": "the hash function of the signature digest",
}
# Always listed: the packet itself uses them.
ALWAYS = ("CPT", "ICD-10-CM", "MRN", "NPI", "SHA-256")


def used_in(texts: Iterable[str]) -> list[tuple[str, str]]:
    """The abbreviations that occur as whole words in the texts, plus those the packet always
    uses, alphabetically."""
    words = set()
    for text in texts:
        words.update(re.findall(r"[A-Za-z0-9][A-Za-z0-9/\-]*", text or ""))
    found = {a for a in ABBREVIATIONS if a in words} | set(ALWAYS)
    return sorted(((a, ABBREVIATIONS[a]) for a in found), key=lambda item: item[0].lower())
