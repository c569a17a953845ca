"""Signing a note, co-signing it and amending it with addenda (DOMAIN.md §7): the views over
`notes.signing`, which raises `SignRefused` with a reason this module maps to HTTP."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from notes.access import get_visit_for_user
from notes.decorators import visit_view
from notes.forms import AddendumForm, PasswordForm
from notes.models import Visit
from notes.page import note_context, note_url, render_page, render_sections
from notes.signing import SignRefused, addendum_create, cosign_visit, sign_visit
from notes.snapshot import NoteSnapshot

# The HTTP answer to each reason a signature is refused.
REFUSAL_STATUS = {
    SignRefused.CONFLICT: 409,
    SignRefused.NOT_ALLOWED: 403,
    SignRefused.INCOMPLETE: 422,
    SignRefused.WRONG_PASSWORD: 422,
}


def sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the note. Scoped to the user's clinic (404) in the same query that locks the
    visit: the note is read once."""
    user = request.user
    if request.method != "POST" or not user.can_write:
        get_visit_for_user(request, pk, write=True)  # 404 outside the clinic, 403 auditors
        return HttpResponseNotAllowed(["POST"])
    form = PasswordForm(request.POST)
    form.is_valid()
    try:
        visit = sign_visit(
            visit_pk=pk, user=user, password=form.cleaned_data["password"], clinic_id=user.clinic_id
        )
    except Visit.DoesNotExist as exc:
        raise Http404("No such visit in your clinic.") from exc
    except SignRefused as exc:
        note = exc.snapshot or NoteSnapshot(get_visit_for_user(request, pk), user)
        status = REFUSAL_STATUS[exc.reason]
        if exc.field:
            form.add_error(exc.field, exc.message)
        extra = {"sign_form": form, "sign_refusal": exc.message, "sign_missing": exc.items}
        with timezone.override(note.visit.clinic.tz):
            if request.htmx:
                ctx = note_context(request, note, **extra)
                html = render_sections(request, ctx, ("sign", "units", "checklist"))
                return HttpResponse(html, status=status)
            return render_page(request, note, status=status, **extra)
    messages.success(request, "Signed. The note is final; corrections go in an addendum.")
    if request.htmx:
        response = HttpResponseClientRedirect(note_url(visit))
        response.status_code = 204
        return response
    return redirect(note_url(visit))


@visit_view(methods=("POST",), write=True)
def cosign_view(request: HttpRequest, visit: Visit) -> HttpResponse:
    form = PasswordForm(request.POST, prefix_id="cosign")
    form.is_valid()
    try:
        cosign_visit(visit_pk=visit.pk, user=request.user, password=form.cleaned_data["password"])
    except SignRefused as exc:
        if exc.reason == SignRefused.NOT_ALLOWED:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return render_page(
            request, NoteSnapshot(visit, request.user), status=REFUSAL_STATUS[exc.reason]
        )
    messages.success(request, "Co-signed.")
    return redirect(note_url(visit, "signature"))


@visit_view(methods=("POST",), write=True)
def addendum_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    if not request.user.is_clinician:
        raise PermissionDenied("Only clinicians write addenda.")
    note = NoteSnapshot(visit, request.user)
    if visit.is_draft:
        messages.error(request, "Addenda are for signed notes; change the draft itself instead.")
        return render_page(request, note, status=409)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            addendum_create(
                visit=visit,
                user=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                password=form.cleaned_data["password"],
            )
        except SignRefused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Addendum signed and added after the original note.")
            return redirect(note_url(visit, "addenda"))
    return render_page(request, note, status=422, addendum_form=form)
