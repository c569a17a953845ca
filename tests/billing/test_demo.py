"""billing.demo: the reference and demo data load once and load again without change."""

from decimal import Decimal

from billing import demo
from billing.models import Code, CodeRvu, FeeYear, KxThreshold, MueLimit, NcciEdit, PayerProfile

CATALOG = {
    "97140", "97110", "97112", "97530", "97535", "97124", "97150", "97012", "97010", "97014",
    "G0283", "97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168",
    "98940", "98941", "98942", "98943",
}  # fmt: skip


def snapshot():
    return (
        list(Code.objects.values_list("code", "descriptor", "timed", "category")),
        list(CodeRvu.objects.values_list("code_id", "year", "work", "practice_expense")),
        list(FeeYear.objects.values_list("year", "conversion_factor")),
        list(KxThreshold.objects.values_list("year", "amount")),
        list(PayerProfile.objects.order_by("name").values_list("name", "payer_type")),
        sorted(NcciEdit.objects.values_list("column1", "column2", "effective", "deletion")),
        sorted(MueLimit.objects.values_list("code", "max_units")),
    )


def test_the_catalog_holds_97140_and_the_codes_billed_with_it(db):
    # The catalog is in every database (a migration loads it): time blocks point at codes.
    codes = {c.code: c for c in Code.objects.all()}
    assert set(codes) == CATALOG
    assert codes["97140"].timed and codes["97110"].timed and codes["97530"].timed
    assert not codes["97012"].timed and not codes["98940"].timed and not codes["97161"].timed
    assert all(c.descriptor for c in codes.values())


def test_seeding_twice_gives_the_same_tables(db):
    demo.seed(None)
    first = snapshot()
    demo.seed(None)
    assert snapshot() == first
    assert len(first[4]) == 6  # one default profile per payer type
    assert KxThreshold.objects.get(year=2026).amount == Decimal("2480.00")


def test_seeding_keeps_a_clinics_changes_to_a_profile(db):
    demo.seed(None)
    PayerProfile.objects.filter(name="Commercial (per-code)").update(modifier_59_choice="X")
    demo.seed(None)
    assert PayerProfile.objects.get(name="Commercial (per-code)").modifier_59_choice == "X"


def test_the_seeded_profiles_match_the_payer_rules(db):
    demo.seed(None)
    medicare = PayerProfile.objects.get(payer_type="medicare_b", is_default_for_type=True)
    assert (medicare.unit_method, medicare.applies_kx, medicare.covers_chiropractor_97140) == (
        "cms",
        True,
        False,
    )
    assert medicare.assistant_payment_rate == Decimal("0.85")
    commercial = PayerProfile.objects.get(payer_type="commercial", is_default_for_type=True)
    assert (commercial.unit_method, commercial.modifier_59_choice) == ("ama", "59")
    self_pay = PayerProfile.objects.get(payer_type="self_pay")
    assert not self_pay.applies_edits and not self_pay.requires_therapy_modifiers
