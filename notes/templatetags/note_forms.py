"""`{% note_form form %}`: a note form drawn from its crispy layout in Python, without a
template per field and widget (issue 18: the draft note carries several forms, and rendering
them through templates was two thirds of the page's time). The markup is Bootstrap 5's, as the
form library draws it: a label per input, help text and errors tied with aria-describedby."""

from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms, template
from django.forms.utils import flatatt
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _attrs(bf: forms.BoundField, widget, css: str, described: list[str]) -> dict:
    attrs = {**bf.build_widget_attrs(dict(widget.attrs), widget)}
    attrs.pop("aria-describedby", None)
    classes = " ".join(
        c for c in (css, attrs.pop("class", ""), "is-invalid" if bf.errors else "") if c
    )
    attrs["class"] = classes
    if bf.errors:
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["id"] = bf.auto_id
    return attrs


def _widget(bf: forms.BoundField, extra_class: str, described: list[str]) -> str:
    widget = bf.field.widget
    name = bf.html_name
    value = bf.value()
    if isinstance(widget, forms.Select):
        attrs = _attrs(bf, widget, f"select form-select {extra_class}".strip(), described)
        options = []
        for _group, choices, _index in widget.optgroups(name, widget.format_value(value)):
            for option in choices:
                options.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        option["value"],
                        mark_safe(" selected") if option["selected"] else "",
                        option["label"],
                    )
                )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(attrs),
            mark_safe("".join(options)),
        )
    if isinstance(widget, forms.Textarea):
        attrs = _attrs(bf, widget, f"textarea form-control {extra_class}".strip(), described)
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            name,
            flatatt(attrs),
            widget.format_value(value) or "",
        )
    if isinstance(widget, forms.CheckboxInput):
        attrs = _attrs(bf, widget, "checkboxinput form-check-input", described)
        if widget.check_test(value):
            attrs["checked"] = True
        return format_html('<input type="checkbox" name="{}"{}>', name, flatatt(attrs))
    input_type = widget.input_type
    attrs = _attrs(bf, widget, f"{input_type}input form-control {extra_class}".strip(), described)
    shown = widget.format_value(value)
    if shown is not None and not isinstance(widget, forms.PasswordInput):
        attrs["value"] = shown
    return format_html('<input type="{}" name="{}"{}>', input_type, name, flatatt(attrs))


def _field(form: forms.BaseForm, name: str, extra_class: str = "") -> str:
    bf = form[name]
    if bf.is_hidden:
        return str(bf)
    described = []
    if bf.help_text:
        described.append(f"{bf.auto_id}_helptext")
    if bf.errors:
        described.append(f"{bf.auto_id}_error")
    widget = _widget(bf, extra_class, described)
    errors = ""
    if bf.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            bf.auto_id,
            format_html_join(
                " ",
                '<span id="error_{}_{}"><strong>{}</strong></span>',
                ((i, bf.auto_id, e) for i, e in enumerate(bf.errors, start=1)),
            ),
        )
    help_text = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', bf.auto_id, bf.help_text)
        if bf.help_text
        else ""
    )
    asterisk = mark_safe('<span class="asteriskField">*</span>') if bf.field.required else ""
    if isinstance(bf.field.widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}{}</label>{}{}</div></div>',
            bf.auto_id, widget, bf.auto_id, bf.label, asterisk, errors, help_text,
        )  # fmt: skip
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>'
        "{}{}{}</div>",
        bf.auto_id,
        bf.auto_id,
        " requiredField" if bf.field.required else "",
        bf.label,
        asterisk,
        widget,
        errors,
        help_text,
    )


def _render(form: forms.BaseForm, item, seen: set[str]) -> str:
    if isinstance(item, str):
        seen.add(item)
        return _field(form, item)
    if isinstance(item, Field):
        css = item.attrs.get("class", "")
        parts = []
        for name in item.fields:
            seen.add(name)
            parts.append(_field(form, name, css))
        return "".join(parts)
    inner = "".join(_render(form, child, seen) for child in item.fields)
    if isinstance(item, Row):
        css = f"row {item.css_class or ''}".strip()
    elif isinstance(item, Column):
        css = (
            item.css_class if "col" in (item.css_class or "") else f"col-md {item.css_class or ''}"
        )
    elif isinstance(item, Div):
        css = item.css_class or ""
    else:
        return inner
    return f"<div{flatatt({'class': css.strip()})}{item.flat_attrs}>{inner}</div>"


@register.simple_tag
def note_form(form: forms.BaseForm) -> str:
    """The form's fields in its helper's layout (Layout, Row, Column, Div, Field, names), then
    any field the layout leaves out, as the form library does."""
    helper = getattr(form, "helper", None)
    layout = getattr(helper, "layout", None) or Layout(*form.fields)
    seen: set[str] = set()
    html = _render(form, layout, seen)
    rest = "".join(_field(form, name) for name in form.fields if name not in seen)
    errors = ""
    if form.non_field_errors():
        errors = format_html(
            '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
            format_html_join("", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
        )
    return mark_safe(errors + html + rest)


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
