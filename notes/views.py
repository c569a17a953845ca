from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from notes.models import Visit


def visit_note(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.for_clinic(request.user.clinic), pk=pk)
    return render(request, "notes/visit_note.html", {"visit": visit})
