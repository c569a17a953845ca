"""Forms drawn from their crispy layout in Python, without a template per field and widget:
the same Bootstrap 5 markup the form library draws (a label per input, help text and errors
tied with aria-describedby), at a fraction of its cost: through the form library's templates
the access trail's six-field filter took about 8 ms a request, and the draft note's forms two
thirds of the page (issue 18).

`fields_html(form)` draws the fields in the helper's layout (Layout, Row, Column, Div, Field,
names; static HTML and Submit buttons); `get_form_html(form)` wraps them in the helper's GET
`<form>` (the filter forms of `accounts.formkit.filter_helper`)."""

from html import escape as _escape

from crispy_forms.layout import HTML, Column, Div, Field, Layout, Row, Submit
from django import forms
from django.utils.safestring import SafeString, mark_safe


def _esc(value) -> str:
    """`conditional_escape` without its lazy-string wrapper: hundreds of calls per form."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def _flatatt(attrs: dict) -> str:
    """`django.forms.utils.flatatt`: ` key="value"` pairs sorted, then the true flags sorted."""
    pairs = sorted((k, v) for k, v in attrs.items() if v is not None and not isinstance(v, bool))
    flags = sorted(k for k, v in attrs.items() if v is True)
    return "".join(f' {_esc(k)}="{_esc(v)}"' for k, v in pairs) + "".join(
        f" {_esc(k)}" for k in flags
    )


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


def _options(widget: forms.Select, value: list[str]) -> str:
    """The options as `Select.optgroups` selects them (the first match only, unless multiple),
    groups flattened."""
    parts = []
    has_selected = False
    multiple = widget.allow_multiple_selected
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            choices = option_label
        else:
            choices = ((option_value, option_label),)
        for subvalue, sublabel in choices:
            selected = (not has_selected or multiple) and str(subvalue) in value
            has_selected |= selected
            parts.append(
                f'<option value="{_esc(subvalue)}"{" selected" if selected else ""}>'
                f"{_esc(sublabel)}</option>"
            )
    return "".join(parts)


def _widget(bf: forms.BoundField, extra_class: str, described: list[str]) -> str:
    widget = bf.field.widget
    name = _esc(bf.html_name)
    value = bf.value()
    if isinstance(widget, forms.Select):
        attrs = _attrs(bf, widget, f"select form-select {extra_class}".strip(), described)
        options = _options(widget, widget.format_value(value))
        return f'<select name="{name}"{_flatatt(attrs)}>{options}</select>'
    if isinstance(widget, forms.Textarea):
        attrs = _attrs(bf, widget, f"textarea form-control {extra_class}".strip(), described)
        text = _esc(widget.format_value(value) or "")
        return f'<textarea name="{name}"{_flatatt(attrs)}>\n{text}</textarea>'
    if isinstance(widget, forms.CheckboxInput):
        attrs = _attrs(bf, widget, "checkboxinput form-check-input", described)
        if widget.check_test(value):
            attrs["checked"] = True
        return f'<input type="checkbox" name="{name}"{_flatatt(attrs)}>'
    input_type = widget.input_type
    attrs = _attrs(bf, widget, f"{input_type}input form-control {extra_class}".strip(), described)
    shown = widget.format_value(value)
    if shown is not None and not isinstance(widget, forms.PasswordInput):
        attrs["value"] = shown
    return f'<input type="{_esc(input_type)}" name="{name}"{_flatatt(attrs)}>'


def _field(form: forms.BaseForm, name: str, extra_class: str = "") -> str:
    bf = form[name]
    if bf.is_hidden:
        return str(bf)
    auto_id = _esc(bf.auto_id)
    described = []
    if bf.help_text:
        described.append(f"{bf.auto_id}_helptext")
    if bf.errors:
        described.append(f"{bf.auto_id}_error")
    widget = _widget(bf, extra_class, described)
    errors = ""
    if bf.errors:
        spans = " ".join(
            f'<span id="error_{i}_{auto_id}"><strong>{_esc(e)}</strong></span>'
            for i, e in enumerate(bf.errors, start=1)
        )
        errors = f'<div id="{auto_id}_error" class="invalid-feedback">{spans}</div>'
    help_text = (
        f'<div id="{auto_id}_helptext" class="form-text">{_esc(bf.help_text)}</div>'
        if bf.help_text
        else ""
    )
    asterisk = '<span class="asteriskField">*</span>' if bf.field.required else ""
    label = _esc(bf.label)
    if isinstance(bf.field.widget, forms.CheckboxInput):
        return (
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check">{widget}'
            f'<label for="{auto_id}" class="form-check-label">{label}{asterisk}</label>'
            f"{errors}{help_text}</div></div>"
        )
    required = " requiredField" if bf.field.required else ""
    return (
        f'<div id="div_{auto_id}" class="mb-3"><label for="{auto_id}" class="form-label{required}">'
        f"{label}{asterisk}</label>{widget}{errors}{help_text}</div>"
    )


def _render(form: forms.BaseForm, item, seen: set[str]) -> str:
    if isinstance(item, str):
        seen.add(item)
        return _field(form, item)
    if isinstance(item, HTML):
        if "{" in str(item.html):
            raise ValueError("HTML layout objects drawn here are static: no template tags")
        return str(item.html)
    if isinstance(item, Submit):
        attrs = {"name": item.name, "value": item.value, "class": item.field_classes, "id": item.id}
        return f'<input type="submit"{_flatatt(attrs)}{item.flat_attrs}>'
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
    return f"<div{_flatatt({'class': css.strip()})}{item.flat_attrs}>{inner}</div>"


def fields_html(form: forms.BaseForm) -> SafeString:
    """The form's fields in its helper's layout, then any field the layout leaves out, as the
    form library does; non-field errors first."""
    helper = getattr(form, "helper", None)
    layout = getattr(helper, "layout", None) or Layout(*form.fields)
    seen: set[str] = set()
    html = _render(form, layout, seen)
    rest = "".join(_field(form, name) for name in form.fields if name not in seen)
    errors = ""
    if form.non_field_errors():
        items = "".join(f"<li>{_esc(e)}</li>" for e in form.non_field_errors())
        errors = f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
    return mark_safe(errors + html + rest)


def get_form_html(form: forms.BaseForm) -> SafeString:
    """A GET form with its helper's action and attributes around `fields_html` (no CSRF
    token: a GET form sends none)."""
    helper = form.helper
    if (helper.form_method or "get").lower() != "get":
        raise ValueError("get_form_html draws GET forms only: a POST form needs its CSRF token")
    attrs = {**(helper.attrs or {}), "method": "get"}
    for key, value in (
        ("action", helper.form_action), ("id", helper.form_id), ("class", helper.form_class)
    ):  # fmt: skip
        if value:
            attrs[key] = str(value).strip()
    return mark_safe(f"<form{_flatatt(attrs)}>{fields_html(form)}</form>")
