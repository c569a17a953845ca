from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from billing.models import (
    ChargeLine,
    Code,
    CodeRvu,
    FeeYear,
    KxThreshold,
    MueLimit,
    NcciEdit,
    PayerFee,
    PayerProfile,
)


class CodeRvuInline(admin.TabularInline):
    model = CodeRvu
    extra = 0


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["code", "descriptor", "timed", "category"]
    list_filter = ["timed", "category"]
    search_fields = ["code", "descriptor"]
    inlines = [CodeRvuInline]


@admin.register(FeeYear)
class FeeYearAdmin(admin.ModelAdmin):
    list_display = ["year", "conversion_factor"]


@admin.register(KxThreshold)
class KxThresholdAdmin(admin.ModelAdmin):
    list_display = ["year", "amount"]


class PayerFeeInline(admin.TabularInline):
    model = PayerFee
    extra = 0
    autocomplete_fields = ["code"]


@admin.register(PayerProfile)
class PayerProfileAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "payer_type",
        "is_default_for_type",
        "unit_method",
        "requires_therapy_modifiers",
        "applies_assistant_modifiers",
        "applies_kx",
        "modifier_59_choice",
        "covers_chiropractor_97140",
        "applies_edits",
    ]
    list_filter = ["payer_type", "unit_method"]
    search_fields = ["name"]
    inlines = [PayerFeeInline]


@admin.register(NcciEdit)
class NcciEditAdmin(ReadOnlyAdmin):
    list_display = [
        "column1",
        "column2",
        "effective",
        "deletion",
        "modifier_indicator",
        "rationale",
    ]
    list_filter = ["modifier_indicator"]
    search_fields = ["column1", "column2"]
    date_hierarchy = "effective"


@admin.register(MueLimit)
class MueLimitAdmin(ReadOnlyAdmin):
    list_display = ["code", "max_units", "adjudication", "rationale"]
    search_fields = ["code"]


@admin.register(ChargeLine)
class ChargeLineAdmin(ReadOnlyAdmin):
    list_display = [
        "date_of_service",
        "visit",
        "code",
        "units",
        "modifiers",
        "rendering_npi",
        "fee_estimate",
    ]
    list_select_related = ["visit", "code"]
    list_filter = ["date_of_service"]
    search_fields = ["code__code", "patient__mrn"]
    raw_id_fields = ["visit", "clinic", "patient", "rendering_clinician"]
