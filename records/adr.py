"""The ADR packet: one PDF in the order a medical reviewer reads it — cover sheet (due date =
received + 45 days, days left), table of contents, plan of care and certifications, treatment
notes in range, progress reports, signature log, electronic-signature attestation,
abbreviations, charge lines — plus the gap report the admin sees first (not in the packet)."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from notes.models import Visit
from records.abbreviations import used_in
from records.gaps import gap_report
from records.gather import plans_of_visits, progress_reports_for, visits_in_chunks
from records.models import AdrRequest
from records.pdf import annotate_minutes, css_string, render_pdf

PACKET_PATH = "adr/packet.pdf"


def visits_in_range(adr: AdrRequest):
    return Visit.objects.filter(
        clinic_id=adr.clinic_id,
        patient_id=adr.patient_id,
        date_of_service__gte=adr.dos_from,
        date_of_service__lte=adr.dos_to,
    ).order_by("date_of_service", "visit_number", "id")


def adr_gaps(adr: AdrRequest):
    """The gap report of the ADR's dates of service (every note in range, signed or not)."""
    ids = list(visits_in_range(adr).values_list("pk", flat=True))
    plans = plans_of_visits(list(Visit.objects.filter(pk__in=ids).only("plan_id")))
    return gap_report(ids, plans=plans)


def _signers(visits) -> list[dict]:
    seen: dict[int, dict] = {}
    for visit in visits:
        for user, credentials, kind in (
            (visit.signed_by, visit.signer_credentials, "signed"),
            (
                visit.cosigned_by,
                visit.cosigned_by.credentials if visit.cosigned_by else "",
                "co-signed",
            ),
        ):
            if user is None:
                continue
            entry = seen.setdefault(
                user.pk,
                {
                    "name": user.get_full_name() or user.username,
                    "credentials": credentials or user.credentials,
                    "npi": user.npi,
                    "role": set(),
                    "visits": 0,
                },
            )
            entry["role"].add(kind)
            entry["visits"] += 1
        for addendum in visit.addenda.all():
            entry = seen.setdefault(
                addendum.author_id,
                {
                    "name": addendum.author.get_full_name(),
                    "credentials": addendum.author_credentials,
                    "npi": addendum.author.npi,
                    "role": set(),
                    "visits": 0,
                },
            )
            entry["role"].add("addendum")
    for entry in seen.values():
        entry["role"] = ", ".join(sorted(entry["role"]))
    return sorted(seen.values(), key=lambda e: e["name"])


def _note_texts(visits):
    for visit in visits:
        yield visit.in_treatment_decisions
        yield visit.reasoning
        yield visit.skilled_care
        yield visit.signer_credentials
        for f in visit.findings.all():
            yield f"{f.structure} {f.description} {f.tests} {f.palpation}"
        for t in visit.techniques.all():
            yield f"{t.region} {t.direction} {t.method} {t.details}"
        for m in visit.measures.all():
            yield m.name
        for line in visit.charge_lines.all():
            yield " ".join(line.modifier_list)


def packet_html(*, adr: AdrRequest, visit_ids: list[int], user, today=None) -> str:
    today = today or timezone.localdate()
    visits = [v for chunk in visits_in_chunks(visit_ids) for v in chunk]
    annotate_minutes(visits)
    plans = plans_of_visits(visits)
    reports = progress_reports_for([p.pk for p in plans], adr.dos_from, adr.dos_to)
    patient = adr.patient
    example = visits[0] if visits else None
    return render_to_string(
        "records/pdf/adr_packet.html",
        {
            "adr": adr,
            "patient": patient,
            "clinic": adr.clinic,
            "plans": plans,
            "visits": visits,
            "reports": reports,
            "signers": _signers(visits),
            "abbreviations": used_in(_note_texts(visits)),
            "lines": [line for v in visits for line in v.charge_lines.all()],
            "dates": sorted({v.date_of_service for v in visits}),
            "example": example,
            "due_on": adr.due_on,
            "days_left": adr.days_left(today),
            "days_left_label": adr.days_left_label(today),
            "today": today,
            "prepared_by": user,
            "date_from": adr.dos_from,
            "date_to": adr.dos_to,
            "time_zone": adr.clinic.time_zone,
            "footer_css": css_string(f"{adr.clinic.name} · ADR {adr.reference}"),
        },
    )


def packet_files(*, adr: AdrRequest, folder: Path, visit_ids: list[int], user) -> dict:
    """Write the packet PDF into the export folder; return the manifest's ADR entry."""
    (folder / "adr").mkdir(exist_ok=True)
    (folder / PACKET_PATH).write_bytes(
        render_pdf(packet_html(adr=adr, visit_ids=visit_ids, user=user))
    )
    return {
        "adr": {
            "reference": adr.reference,
            "received_on": adr.received_on.isoformat(),
            "due_on": adr.due_on.isoformat(),
            "dates_of_service": [adr.dos_from.isoformat(), adr.dos_to.isoformat()],
            "packet": PACKET_PATH,
        }
    }
