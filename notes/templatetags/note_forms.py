"""`{% note_form form %}`: a note form drawn from its crispy layout in Python, without a
template per field and widget (issue 18: the draft note carries several forms, and rendering
them through templates was two thirds of the page's time). The markup is Bootstrap 5's, as the
form library draws it: a label per input, help text and errors tied with aria-describedby
(`accounts.formdraw`, which the filter forms of every app use too)."""

from django import forms, template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.formdraw import fields_html

register = template.Library()


@register.simple_tag
def note_form(form: forms.BaseForm) -> str:
    """The form's fields in its helper's layout (`accounts.formdraw.fields_html`)."""
    return fields_html(form)


@register.simple_tag
def text_field(bf: forms.BoundField) -> str:
    """One text, number or password field (the note's narrative and signature fields, on every
    draft page): its label, its input, its errors and help text tied with aria-describedby."""
    auto_id, widget_type = bf.auto_id, bf.widget_type
    errors, described = bf.errors, bool(bf.help_text)
    invalid = " is-invalid" if errors else ""
    attrs = mark_safe(' aria-invalid="true"' if errors else "")
    if described or errors:
        ids = [f"{auto_id}_helptext"] if described else []
        ids += [f"{auto_id}_error"] if errors else []
        attrs += format_html(' aria-describedby="{}"', " ".join(ids))
    value = bf.value()
    value = "" if value is None else localize(value)
    widget_attrs = bf.field.widget.attrs
    if widget_type == "textarea":
        control = format_html(
            '<textarea name="{}" cols="40" rows="{}" class="textarea form-control{}"{} id="{}">'
            "\n{}</textarea>",
            bf.html_name, widget_attrs.get("rows") or 3, invalid, attrs, auto_id, value,
        )  # fmt: skip
    else:
        extra = mark_safe("")
        if widget_type != "password":
            extra += format_html(' value="{}"', value)
        for attr in ("min_value", "max_value"):
            limit = getattr(bf.field, attr, None)
            if limit is not None:
                extra += format_html(' {}="{}"', attr[:3], localize(limit))
        if widget_attrs.get("autocomplete"):
            extra += format_html(' autocomplete="{}"', widget_attrs["autocomplete"])
        control = format_html(
            '<input type="{}" name="{}"{} class="{}input form-control{}"{} id="{}">',
            widget_type, bf.html_name, extra, widget_type, invalid, attrs, auto_id,
        )  # fmt: skip
    error_html = ""
    if errors:
        error_html = format_html(
            '\n  <div id="{}_error" class="invalid-feedback">{}</div>',
            auto_id,
            format_html_join(
                "",
                '<span id="error_{}_{}"><strong>{}</strong></span> ',
                ((i, auto_id, e) for i, e in enumerate(errors, start=1)),
            ),
        )
    help_html = (
        format_html('\n  <div id="{}_helptext" class="form-text">{}</div>', auto_id, bf.help_text)
        if described
        else ""
    )
    return format_html(
        '<div id="div_{}" class="mb-3">\n  <label for="{}" class="form-label">{}</label>\n  {}{}{}'
        "\n</div>",
        auto_id, auto_id, bf.label, control, error_html, help_html,
    )  # fmt: skip
