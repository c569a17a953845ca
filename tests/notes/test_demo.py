"""The demo visits of SCENARIOS.md, loaded by `seed_demo` (idempotent), signed through the
real signing code."""

import pytest

from accounts import demo as accounts_demo
from billing import demo as billing_demo
from billing.models import ChargeLine
from billing.services import visit_billing
from notes import audit
from notes import demo as notes_demo
from notes.facts import check_visit
from notes.models import Visit, VisitStatus
from notes.signing import verify_visit
from plancare import demo as plancare_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(clock):
    staff = accounts_demo.seed()
    billing_demo.seed(staff)
    plancare_demo.seed(staff)
    notes_demo.seed(staff)
    return staff


def visits_of(mrn: str):
    return Visit.objects.filter(patient__mrn=mrn).order_by("visit_number")


def test_it_is_idempotent(seeded):
    counts = (Visit.objects.count(), ChargeLine.objects.count())
    notes_demo.seed(seeded)
    assert (Visit.objects.count(), ChargeLine.objects.count()) == counts


def test_s1_has_four_signed_visits_and_todays_draft_with_its_findings(seeded):
    visits = list(visits_of("RPT-1001"))
    assert [v.visit_number for v in visits] == [1, 2, 3, 4, 5]
    for visit in visits[:4]:
        assert visit.status == VisitStatus.SIGNED
        assert verify_visit(visit)
        (line,) = visit.charge_lines.all()
        assert (line.code_id, line.units, line.modifiers) == ("97140", 1, "GP")
    today = visits[4]
    assert today.is_draft
    assert today.findings.count() == 2 and not today.techniques.exists()


def test_s2_shows_the_per_code_units(seeded):
    (visit,) = visits_of("RPT-1002")
    preview = visit_billing(visit)
    units = {line.code: line.units for line in preview.lines}
    assert units == {"97110": 2, "97140": 0}  # SCENARIOS.md S2
    assert preview.cms_units == {"97110": 2, "97140": 1}


def test_s3_applies_59_for_the_commercial_patient_and_warns_for_medicare(seeded):
    (commercial,) = visits_of("RPT-1004")
    line = {line.code: line for line in visit_billing(commercial).lines}["97140"]
    assert "59" in line.modifiers  # SCENARIOS.md S3: a separate region in its own block
    (medicare,) = visits_of("RPT-1005")
    codes = {w.code for w in visit_billing(medicare).warnings}
    assert "CHIRO_MEDICARE" in codes


def test_s4_visit_13_is_refused_for_skilled_care_and_the_progress_report(seeded):
    visits = list(visits_of("RPT-1006"))
    assert len(visits) == 13
    assert all(v.status == VisitStatus.SIGNED for v in visits[:12])
    blocking = audit.blocking(check_visit(visits[12]))
    assert {item.code for item in blocking} == {"E11", "E16"}  # SCENARIOS.md S4
