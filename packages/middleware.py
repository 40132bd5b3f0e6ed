"""Keeps the two hosts apart: the package host answers package paths (and static files,
served before this by WhiteNoise) only; the site never serves package files."""

from django.http import HttpResponseNotFound

from .hosts import PREFIX, on_package_host


class PackageHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        package_path = request.path_info.startswith(PREFIX)
        if on_package_host(request) != package_path:
            return HttpResponseNotFound(b"Not found", content_type="text/plain")
        return self.get_response(request)
