"""The site's URLs plus a bare reference view that the benchmarks compare against."""

from django.http import HttpResponse
from django.urls import path

from elearning.urls import urlpatterns as site_urlpatterns


def bare_view(request):
    """The reference: the full middleware stack and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_view, name="bench-bare"), *site_urlpatterns]
