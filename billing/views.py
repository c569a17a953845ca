from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.models import ChargeLine


def charge_lines(request: HttpRequest) -> HttpResponse:
    lines = ChargeLine.objects.filter(visit__clinic=request.user.clinic).select_related("visit")[
        :200
    ]
    return render(request, "billing/charge_lines.html", {"lines": lines})
