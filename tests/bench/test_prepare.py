"""Each benchmark run starts from today's drafts as the harness first made them: the blocks
and findings earlier runs wrote there are gone, what a clinician charted stays."""

from bench.harness import HARNESS_FINDING
from bench.prepare import clear_earlier_runs
from notes.models import Finding, Visit
from tests.factories import (
    FindingFactory,
    PatientFactory,
    PlanFactory,
    TimeBlockFactory,
    VisitFactory,
)


def test_a_run_starts_without_the_blocks_and_findings_earlier_runs_added(clinic, pt):
    plan = PlanFactory(patient=PatientFactory(clinic=clinic), clinician=pt)
    draft = VisitFactory(plan=plan, clinician=pt)
    charted = FindingFactory(visit=draft, description="Restricted rotation")
    for n in range(3):  # what earlier runs' finding-add wrote
        FindingFactory(visit=draft, description=f"{HARNESS_FINDING}{n}")
    TimeBlockFactory(visit=draft, start="09:00", stop="09:10")
    clear_earlier_runs(Visit.objects.filter(pk=draft.pk), [pt])
    assert list(Finding.objects.filter(visit=draft)) == [charted]
    assert not draft.time_blocks.exists()
