"""The shorthand's legend for the note page (the same pairs the auditor's export lists)."""

from django import template

from notes.shorthand_vocab import ABBREVIATIONS

register = template.Library()


@register.simple_tag
def shorthand_abbreviations() -> tuple[tuple[str, str], ...]:
    return ABBREVIATIONS
