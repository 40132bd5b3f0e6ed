"""The site's URLs plus the bare reference views that the benchmarks compare against."""

from uuid import uuid4

from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
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


@login_required
def signed_in_form_view(request):
    """The reference for a page with a form (``make bench-quiz``'s webinar reference): the
    signed-in reference that also hands out a CSRF token (and its cookie), nothing rendered."""
    return HttpResponse(f"ok {request.user.pk} {get_token(request)}", content_type="text/plain")


@login_required
@require_POST
def insert_redirect_view(request):
    """The insert reference answered as the quiz's start and submit are: a redirect to a page
    (the signed-in form reference), which the client follows."""
    with transaction.atomic():
        Session.objects.create(session_key=uuid4().hex, session_data="", expire_date=timezone.now())
    return redirect("bench-signed-in-form")


urlpatterns = [
    path("bench/signed-in-form/", signed_in_form_view, name="bench-signed-in-form"),
    path("bench/insert-redirect/", insert_redirect_view, name="bench-insert-redirect"),
    path("bench/bare/", bare_view, name="bench-bare"),
    path("bench/signed-in/", signed_in_view, name="bench-signed-in"),
    path("bench/insert/", insert_view, name="bench-insert"),
    path("bench/reports-bare/", signed_in_view, name="bench-reports-bare"),
    *site_urlpatterns,
]
