"""The shorthand's legend for the note page (the same pairs the auditor's export lists)."""

from functools import cache

from django import template
from django.utils.html import format_html_join

from notes.shorthand_vocab import ABBREVIATIONS

register = template.Library()


@register.simple_tag
@cache
def shorthand_legend() -> str:
    """The legend's terms and meanings, drawn once per process: the pairs never change, and
    looping over them in the template was a tenth of the draft note's rendering."""
    return format_html_join(
        "",
        '\n        <dt class="col-4 col-md-2 font-monospace fw-normal">{}</dt>'
        '<dd class="col-8 col-md-4 mb-0">{}</dd>',
        ABBREVIATIONS,
    )
