"""FHIR R4 (4.0.1) JSON Bundle of one patient's exported visits, built as plain data and
validated by `fhir.resources` 6.4 (the last line whose default package is R4 4.0.1; 7.x and 8.x
default to R5 and keep only R4B 4.3.0 beside it).

Resources: Patient, Practitioner (every clinician and signer), Condition (the plans'
diagnoses), CarePlan, Goal, Encounter (one per visit), Procedure (one per billed code, with its
minutes), Observation (each measure with its before and after values), Provenance (who signed
which note, when, with the SHA-256 digest) and a DocumentReference to the PDF.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from decimal import Decimal

from fhir.resources.bundle import Bundle

from notes.models import Visit
from records.gather import minutes_of

NAMESPACE = uuid.UUID("7d0b6f63-2c51-4f39-9a3c-3f1f4b8e9714")
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
UCUM = "http://unitsofmeasure.org"
MINUTES_EXTENSION = "urn:palpate:fhir:timed-minutes"
MODIFIERS_EXTENSION = "urn:palpate:fhir:cpt-modifiers"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
AUTHOR_SIGNATURE = "1.2.840.10065.1.12.1.1"
COSIGNATURE = "1.2.840.10065.1.12.1.5"  # verification signature
GOAL_STATUS = {
    "not_started": "accepted",
    "progressing": "active",
    "met": "completed",
    "not_met": "cancelled",
    "discontinued": "cancelled",
}
PLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "on_hold": "on-hold",
    "discharged": "completed",
}
UNITS = {"°": ("deg", "deg"), "cm": ("cm", "cm"), "s": ("s", "s"), "%": ("%", "%")}


def _id(kind: str, pk) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def _ref(kind: str, pk) -> dict:
    return {"reference": f"urn:uuid:{_id(kind, pk)}"}


def _instant(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def _quantity(value: Decimal, unit: str) -> dict:
    quantity = {"value": float(value), "unit": unit}
    if unit in UNITS:
        quantity["system"], quantity["code"] = UCUM, UNITS[unit][1]
    return quantity


class BundleBuilder:
    """Collects one patient's resources; `json()` validates them and returns the Bundle."""

    def __init__(self, patient):
        self.patient = patient
        self.entries: dict[str, dict] = {}
        self.add(
            "Patient",
            patient.pk,
            {
                "identifier": [
                    {"system": f"urn:palpate:clinic:{patient.clinic_id}:mrn", "value": patient.mrn}
                ]
                + (
                    [{"system": "urn:palpate:member-id", "value": patient.member_id}]
                    if patient.member_id
                    else []
                ),
                "name": [{"family": patient.last_name, "given": [patient.first_name]}],
                "gender": {"F": "female", "M": "male", "X": "other"}.get(patient.sex, "unknown"),
                "birthDate": patient.date_of_birth.isoformat(),
            },
        )

    def add(self, kind: str, pk, body: dict) -> dict:
        rid = _id(kind, pk)
        if rid not in self.entries:
            self.entries[rid] = {"resourceType": kind, "id": rid, **body}
        return self.entries[rid]

    def practitioner(self, user) -> dict:
        body = {"name": [{"family": user.last_name, "given": [user.first_name]}]}
        if user.npi:
            body["identifier"] = [{"system": NPI, "value": user.npi}]
        if user.credentials:
            body["qualification"] = [{"code": {"text": user.credentials}}]
        self.add("Practitioner", user.pk, body)
        return _ref("Practitioner", user.pk)

    def plan(self, plan) -> None:
        subject = _ref("Patient", self.patient.pk)
        for d in plan.diagnoses.all():
            self.add(
                "Condition",
                d.pk,
                {
                    "subject": subject,
                    "code": {
                        "coding": [{"system": ICD10CM, "code": d.code, "display": d.description}],
                        "text": d.description,
                    },
                    "category": [{"text": "primary" if d.is_primary else "secondary"}],
                },
            )
        for g in plan.goals.all():
            self.add(
                "Goal",
                g.pk,
                {
                    "lifecycleStatus": GOAL_STATUS.get(g.status, "active"),
                    "description": {"text": g.description},
                    "subject": subject,
                    "target": [
                        {
                            "measure": {"text": g.measure_label},
                            "detailQuantity": _quantity(g.target, g.unit),
                            "dueDate": g.target_date.isoformat(),
                        }
                    ],
                    "note": [{"text": f"Baseline {g.baseline_display}"}],
                },
            )
        self.add(
            "CarePlan",
            plan.pk,
            {
                "status": PLAN_STATUS.get(plan.status, "unknown"),
                "intent": "plan",
                "title": f"{plan.get_discipline_display()} plan of care",
                "description": plan.functional_limitations,
                "subject": subject,
                "period": {
                    "start": plan.cert_from.isoformat(),
                    "end": plan.cert_through.isoformat(),
                },
                "author": self.practitioner(plan.clinician),
                "addresses": [_ref("Condition", d.pk) for d in plan.diagnoses.all()],
                "goal": [_ref("Goal", g.pk) for g in plan.goals.all()],
                "note": [
                    {
                        "text": (
                            f"Certified by {plan.certifier_name}"
                            + (f" on {plan.certified_on.isoformat()}" if plan.certified_on else "")
                            + (" (not certified)" if not plan.certified_on else "")
                            + f"; {plan.frequency_per_week}×/week for {plan.duration_weeks} weeks."
                        )
                    }
                ],
            },
        )

    def visit(self, visit: Visit) -> None:
        subject = _ref("Patient", self.patient.pk)
        clinician = self.practitioner(visit.clinician)
        blocks = [b for b in visit.time_blocks.all() if b.stopped_at]
        encounter = {
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "type": [{"text": f"Visit {visit.visit_number} of the plan of care"}],
            "subject": subject,
            "participant": [{"individual": clinician}],
            "reasonReference": [_ref("Condition", d.pk) for d in visit.plan.diagnoses.all()],
            "length": {"value": minutes_of(visit)[0], "unit": "min", "system": UCUM, "code": "min"},
        }
        if blocks:
            encounter["period"] = {
                "start": _instant(min(b.started_at for b in blocks)),
                "end": _instant(max(b.stopped_at for b in blocks)),
            }
        self.add("Encounter", visit.pk, encounter)
        targets = [_ref("Encounter", visit.pk)]
        techniques = "; ".join(f"{t.get_kind_display()}: {t.site}" for t in visit.techniques.all())
        for line in visit.charge_lines.all():
            code_blocks = [b for b in blocks if b.code_id == line.code_id]
            procedure = {
                "status": "completed",
                "code": {
                    "coding": [
                        {"system": CPT, "code": line.code_id, "display": line.code.descriptor}
                    ],
                    "text": f"{line.code_id} ×{line.units} {' '.join(line.modifier_list)}".strip(),
                },
                "subject": subject,
                "encounter": _ref("Encounter", visit.pk),
                "performer": [{"actor": self.practitioner(line.rendering_clinician)}],
                "extension": [
                    {
                        "url": MINUTES_EXTENSION,
                        "valueQuantity": {
                            "value": line.minutes,
                            "unit": "min",
                            "system": UCUM,
                            "code": "min",
                        },
                    }
                ]
                + (
                    [{"url": MODIFIERS_EXTENSION, "valueString": " ".join(line.modifier_list)}]
                    if line.modifier_list
                    else []
                ),
                "note": [{"text": f"{line.minutes} minutes, {line.units} unit(s)"}],
            }
            if code_blocks:
                procedure["performedPeriod"] = {
                    "start": _instant(min(b.started_at for b in code_blocks)),
                    "end": _instant(max(b.stopped_at for b in code_blocks)),
                }
            else:
                procedure["performedDateTime"] = visit.date_of_service.isoformat()
            if line.code.category == "manual" and techniques:
                procedure["note"].append({"text": techniques})
            self.add("Procedure", f"{visit.pk}:{line.code_id}", procedure)
            targets.append(_ref("Procedure", f"{visit.pk}:{line.code_id}"))
        for m in visit.measures.all():
            self.add(
                "Observation",
                m.pk,
                {
                    "status": "final",
                    "code": {"text": m.name + (f" ({m.context})" if m.context else "")},
                    "subject": subject,
                    "encounter": _ref("Encounter", visit.pk),
                    "effectiveDateTime": visit.date_of_service.isoformat(),
                    "component": [
                        {
                            "code": {"text": "before treatment"},
                            "valueQuantity": _quantity(m.pre_value, m.unit),
                        },
                        {
                            "code": {"text": "after treatment"},
                            "valueQuantity": _quantity(m.post_value, m.unit),
                        },
                    ],
                    **({"focus": [_ref("Goal", m.goal_id)]} if m.goal_id else {}),
                },
            )
            targets.append(_ref("Observation", m.pk))
        if visit.signed_by_id:
            signer = self.practitioner(visit.signed_by)
            digest = base64.b64encode(f"sha256:{visit.content_digest}".encode()).decode()
            signatures = [
                {
                    "type": [{"system": SIGNATURE_TYPE, "code": AUTHOR_SIGNATURE}],
                    "when": _instant(visit.signed_at),
                    "who": signer,
                    "targetFormat": "application/json",
                    "sigFormat": "text/plain",
                    "data": digest,
                }
            ]
            agents = [{"who": signer}]
            if visit.cosigned_by_id:
                cosigner = self.practitioner(visit.cosigned_by)
                agents.append({"who": cosigner})
                signatures.append(
                    {
                        "type": [{"system": SIGNATURE_TYPE, "code": COSIGNATURE}],
                        "when": _instant(visit.cosigned_at),
                        "who": cosigner,
                    }
                )
            self.add(
                "Provenance",
                visit.pk,
                {
                    "target": targets,
                    "recorded": _instant(visit.signed_at),
                    "agent": agents,
                    "signature": signatures,
                    "reason": [{"text": f"Note signed; SHA-256 {visit.content_digest}"}],
                },
            )

    def document(
        self, *, path: str, sha1_b64: str, size: int, title: str, when: dt.datetime
    ) -> None:
        self.add(
            "DocumentReference",
            path,
            {
                "status": "current",
                "type": {"text": "Visit history (PDF)"},
                "subject": _ref("Patient", self.patient.pk),
                "date": _instant(when),
                "description": title,
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            # the file beside this Bundle in the export ZIP
                            "url": f"file://localhost/{path}",
                            "size": size,
                            "hash": sha1_b64,
                            "title": title,
                        }
                    }
                ],
            },
        )

    def bundle(self, when: dt.datetime) -> Bundle:
        return Bundle.parse_obj(
            {
                "resourceType": "Bundle",
                "id": _id("Bundle", f"{self.patient.pk}:{when.isoformat()}"),
                "type": "collection",
                "timestamp": _instant(when),
                "entry": [
                    {"fullUrl": f"urn:uuid:{rid}", "resource": body}
                    for rid, body in self.entries.items()
                ],
            }
        )

    def json(self, when: dt.datetime) -> str:
        return self.bundle(when).json(indent=1)
