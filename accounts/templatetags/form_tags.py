"""`{% filter_form form %}`: a list's GET filter form drawn without the form library's
templates (`accounts.formdraw`)."""

from django import forms, template

from accounts.formdraw import get_form_html

register = template.Library()


@register.simple_tag
def filter_form(form: forms.BaseForm) -> str:
    """The GET form of a list's filters: its fields in the helper's layout, its Show button."""
    return get_form_html(form)
