"""The export service's files: CSV, PDF, FHIR Bundle, and the manifest (issue 15 §2)."""

import csv
import io
import json

import pytest

from records import csvs
from records.export import build_export
from records.gather import Scope
from tests.records.conftest import TODAY, manifest_of, pdf_pages, zip_members


def export(tmp_path, user, *, patient=None, fmt="zip", days=30):
    scope = Scope(
        clinic_id=user.clinic_id,
        patient_id=patient.pk if patient else None,
        date_from=TODAY.replace(day=1),
        date_to=TODAY,
    )
    out = tmp_path / "export.zip"
    build_export(scope=scope, fmt=fmt, user=user, job_id="test-job", out_path=out)
    return out


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


@pytest.mark.django_db
def test_it_writes_the_four_documented_csv_files_with_stored_figures(
    tmp_path, s1_signed, s1_draft, auditor
):
    members = zip_members(export(tmp_path, auditor, fmt="csv"))
    visits = read_csv(members["csv/visits.csv"])
    assert [v["visit_id"] for v in visits] == [str(s1_signed.pk)]  # the draft is left out
    assert visits[0]["total_timed_minutes"] == "15"  # SCENARIOS.md S1: 8 + 7 minutes
    assert visits[0]["signature_digest"] == s1_signed.content_digest
    lines = read_csv(members["csv/charge_lines.csv"])
    assert [(c["code"], c["units"], c["modifiers"], c["minutes"]) for c in lines] == [
        ("97140", "1", "GP", "15")
    ]
    blocks = read_csv(members["csv/time_blocks.csv"])
    assert [b["minutes"] for b in blocks] == ["8", "7"]
    techniques = read_csv(members["csv/techniques.csv"])
    assert {t["region"] for t in techniques} == {"C4-5", "Upper trapezius and levator scapulae"}
    for name, header in csvs.CSV_FILES:
        assert next(csv.reader(io.StringIO(members[name].decode()))) == header


@pytest.mark.django_db
def test_it_neutralises_formula_cells(tmp_path, s1_plan, pt, auditor):
    # DOMAIN.md §8: spreadsheet formula injection in CSV exports
    from notes.models import Visit
    from tests.records.conftest import signed_s1

    s1_plan.patient.first_name = '=HYPERLINK("http://evil")'
    s1_plan.patient.save(update_fields=["first_name"])
    visit = signed_s1(s1_plan, pt)
    assert Visit.objects.get(pk=visit.pk).is_signed
    visits = read_csv(zip_members(export(tmp_path, auditor, fmt="csv"))["csv/visits.csv"])
    assert visits[0]["patient_name"].startswith("'=HYPERLINK")


@pytest.mark.django_db
def test_the_reference_visit_pdf_holds_the_note_and_identifiers_on_every_page(
    tmp_path, s1_signed, auditor
):
    members = zip_members(export(tmp_path, auditor, fmt="pdf"))
    [name] = [n for n in members if n.startswith("pdf/")]
    pages = [" ".join(page.split()) for page in pdf_pages(members[name])]
    text = " ".join(pages)
    # SCENARIOS.md S1: the finding, techniques, measures, 15 minutes, 97140 ×1 GP, signature
    assert "Restricted posterior-anterior mobility above the fusion" in text
    assert "Joint mobilization: C4-5, grade III" in text
    assert "Soft tissue mobilization / myofascial release: bilateral Upper trapezius" in text
    assert "Active left cervical rotation" in text and "+18°" in text
    assert "Pain with rotation" in text and "−3 points" in text
    assert "Total timed minutes: 15" in text
    assert "97140 ×1 GP" in text
    assert "Electronically signed by Pat Okafor, PT, DPT" in text
    assert s1_signed.content_digest in text
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Margaret Ellis" in page and "MRN RPT-1001" in page, number
        assert "Date of service:" in page, number
        assert f"Page {number} of {len(pages)}" in page, number
    visit_page = next(p for p in pages if "Visit 5 ·" in p)
    assert "Date of service: 2026-03-10" in visit_page


@pytest.mark.django_db
def test_the_pdf_holds_a_signed_progress_report_with_its_signature(tmp_path, s1_signed, auditor):
    # DOMAIN.md §4 and §7: the progress report is part of the record, signed like a visit.
    from plancare.reports import progress_report_record

    report = progress_report_record(
        plan=s1_signed.plan,
        author=s1_signed.clinician,
        written_on=TODAY,
        assessment="Rotation improving toward the driving goal.",
    )
    members = zip_members(export(tmp_path, auditor, fmt="pdf"))
    [name] = [n for n in members if n.startswith("pdf/")]
    text = " ".join(" ".join(page.split()) for page in pdf_pages(members[name]))
    assert "Rotation improving toward the driving goal." in text
    assert f"SHA-256 {report.content_digest}" in text
    assert "Electronically signed by Pat Okafor" in text


@pytest.mark.django_db
def test_the_fhir_bundle_validates_and_holds_the_s1_figures(tmp_path, s1_signed, auditor):
    from fhir.resources.bundle import Bundle

    members = zip_members(export(tmp_path, auditor, fmt="zip"))
    [name] = [n for n in members if n.startswith("fhir/")]
    bundle = Bundle.parse_raw(members[name])  # parsing validates every resource (R4 4.0.1)
    kinds = {entry.resource.resource_type for entry in bundle.entry}
    assert kinds >= {
        "Patient",
        "Practitioner",
        "Condition",
        "CarePlan",
        "Goal",
        "Encounter",
        "Procedure",
        "Observation",
        "Provenance",
        "DocumentReference",
    }
    data = json.loads(members[name])
    resources = [e["resource"] for e in data["entry"]]
    [procedure] = [r for r in resources if r["resourceType"] == "Procedure"]
    assert procedure["code"]["coding"][0]["code"] == "97140"
    assert procedure["code"]["text"] == "97140 ×1 GP"
    assert procedure["extension"][0]["valueQuantity"]["value"] == 15
    rotation = next(
        r
        for r in resources
        if r["resourceType"] == "Observation" and "rotation" in r["code"]["text"]
    )
    assert [c["valueQuantity"]["value"] for c in rotation["component"]][:2] in (
        [40, 58],
        [40.0, 58.0],
    )
    [provenance] = [r for r in resources if r["resourceType"] == "Provenance"]
    assert s1_signed.content_digest in provenance["reason"][0]["text"]
    [document] = [r for r in resources if r["resourceType"] == "DocumentReference"]
    url = document["content"][0]["attachment"]["url"]
    assert url.removeprefix("file://localhost/") in members


@pytest.mark.django_db
def test_the_manifest_lists_visits_files_filters_and_left_out_notes(
    tmp_path, s1_signed, s1_draft, auditor
):
    path = export(tmp_path, auditor, patient=s1_signed.patient)
    manifest = manifest_of(path)
    assert manifest["visits"][0]["signature_digest"] == s1_signed.content_digest
    assert [v["id"] for v in manifest["left_out"]] == [s1_draft.pk]
    assert manifest["filters"]["patient"] == s1_signed.patient_id
    assert manifest["exported_by"]["name"] == "Audra Stein"
    members = zip_members(path)
    assert {f["path"] for f in manifest["files"]} == set(members) - {
        "manifest.json",
        "manifest.sig",
    }


@pytest.mark.django_db
def test_a_rerun_of_the_same_job_replaces_its_file(tmp_path, s1_signed, auditor):
    first = export(tmp_path, auditor, fmt="csv")
    second = export(tmp_path, auditor, fmt="csv")
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


@pytest.mark.django_db
def test_the_visit_row_counts_addenda_untimed_minutes_and_the_co_signature(
    tmp_path, s1_plan, pta, pt, auditor
):
    # Pub. 100-02 ch. 15 §220.3 (DOMAIN.md §3): total treatment minutes add the untimed
    # services' and the visit's other untimed minutes to the timed minutes; a PTA's note shows
    # its co-signer; addenda are counted, the signed note unchanged.
    from notes.models import Visit
    from notes.signing import addendum_create, cosign_visit, sign_visit
    from tests.billing.conftest import service
    from tests.factories import PASSWORD, VisitFactory
    from tests.notes.conftest import complete_s1

    visit = VisitFactory(plan=s1_plan, clinician=pta, visit_number=5, date_of_service=TODAY)
    complete_s1(visit)
    Visit.objects.filter(pk=visit.pk).update(untimed_minutes=5)
    service(visit, "97012", "lumbar spine", minutes=10)
    sign_visit(visit_pk=visit.pk, user=pta, password=PASSWORD)
    cosign_visit(visit_pk=visit.pk, user=pt, password=PASSWORD)
    addendum_create(
        visit=Visit.objects.get(pk=visit.pk),
        user=pta,
        kind="late_entry",
        reason="Dictation finished after the visit",
        text="Patient tolerated treatment well.",
        password=PASSWORD,
    )
    [row] = read_csv(zip_members(export(tmp_path, auditor, fmt="csv"))["csv/visits.csv"])
    assert (row["total_timed_minutes"], row["total_treatment_minutes"]) == ("15", "30")
    # The PDF and FHIR files (from the rows read as instances) and the signed note's page give
    # the same two totals: one sum, billing.units.minute_totals.
    from billing.services import charted_totals
    from records.gather import minutes_of

    signed = Visit.objects.prefetch_related("time_blocks__code", "untimed_services__code").get(
        pk=visit.pk
    )
    assert minutes_of(signed) == (15, 30)
    blocks, services = signed.time_blocks.all(), signed.untimed_services.all()
    assert charted_totals(signed, blocks=blocks, services=services) == (15, 30)
    assert row["addenda"] == "1"
    assert row["rendering_credentials"] == "PTA"
    assert row["cosigned_by"] == pt.get_full_name() and row["cosigned_at"]
