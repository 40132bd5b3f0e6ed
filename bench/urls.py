"""The site's URLs plus the bare reference views that the benchmarks compare against."""

from uuid import uuid4

from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from elearning.urls import urlpatterns as site_urlpatterns


def bare_view(request):
    """The reference: the full middleware stack and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in_view(request):
    """The reference for the learner's pages and the report pages: the full middleware stack
    with the session and the signed-in user loaded (``login_required`` and ``request.user``),
    nothing rendered."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


@login_required
@require_POST
def insert_view(request):
    """The write reference: the full middleware stack (the CSRF check included), the session
    and the signed-in user loaded as the quiz views load them, and one INSERT in a
    transaction (a throw-away session row, so that no bench model is needed)."""
    with transaction.atomic():
        Session.objects.create(session_key=uuid4().hex, session_data="", expire_date=timezone.now())
    return HttpResponse("created", status=201, content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare_view, name="bench-bare"),
    path("bench/signed-in/", signed_in_view, name="bench-signed-in"),
    path("bench/insert/", insert_view, name="bench-insert"),
    path("bench/reports-bare/", signed_in_view, name="bench-reports-bare"),
    *site_urlpatterns,
]
