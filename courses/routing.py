"""Wagtail's page serving with the site, the route (address → page) and the page's view
restrictions from the cache.

Wagtail finds the site by a query, then the page by walking the tree from the site's root
(one query per level and one for each page's specific type), then reads the view
restrictions of the page and its ancestors (two queries). Here all three are cached under
the page tree's version (``elearning.core.pagecache``), which every publication,
unpublication, move or deletion of a page, and every change of a view restriction or a site,
replaces: a cached route never outlives a change. The page is cached as its row is: the
published content only (drafts live in revisions, previews are served by the admin), so a
draft is never served from here. Only plain routes are remembered: a page type with a
``route()`` of its own (sub-routes, arguments) is always routed by Wagtail. Not-found paths
are not remembered (a crawler's random paths would fill the cache).
"""

import hashlib

from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from elearning.core.pagecache import pages_version, versioned_get, versioned_set

ROUTE_SCHEMA = 2
ROUTE_TIMEOUT = 24 * 60 * 60
_MISSING = "-"  # a cached "no site for this host"


def site_for_request(request) -> Site | None:
    """Wagtail's ``Site.find_for_request`` from the cache (and remembered on the request, where
    Wagtail's own lookups find it): for views that link to pages."""
    return _site(request, pages_version())


def _site(request, version: int) -> Site | None:
    """Wagtail's ``Site.find_for_request``, cached per host and port."""
    if not hasattr(request, "_wagtail_site"):
        # As Wagtail does: the raw host, so that ALLOWED_HOSTS is checked where it always is.
        hostname, port = split_domain_port(request._get_raw_host())[0], request.get_port()
        key = f"courses:site:{version}:{hashlib.sha256(hostname.encode()).hexdigest()}:{port}"
        site = versioned_get(key)
        if site is None:
            site = Site.find_for_request(request)
            versioned_set(key, site or _MISSING, timeout=ROUTE_TIMEOUT)
        request._wagtail_site = None if site == _MISSING else site
    return request._wagtail_site


def _key(version: int, site: Site, path: str) -> str:
    digest = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()
    language = translation.get_language() or ""
    return f"courses:route:{ROUTE_SCHEMA}:{version}:{site.pk}:{language}:{digest}"


def _serve_restrictions(page: Page, version: int) -> None:
    """Let Wagtail's view-restriction check (its ``on_serve_page`` hook) read the page's
    restrictions from the cache: on this instance only, for this request."""
    key = f"courses:view-restrictions:{version}:{page.pk}"
    restrictions = versioned_get(key)
    if restrictions is None:
        restrictions = list(page.get_view_restrictions())
        versioned_set(key, restrictions, timeout=ROUTE_TIMEOUT)
    page.get_view_restrictions = lambda: restrictions


def route_cached(request, path: str) -> RouteResult | None:
    """The route of ``path`` for ``request`` (None: no page there), from the cache under the
    page tree's version; sets what Wagtail's own ``Page.route_for_request`` reads back."""
    version = pages_version()  # read before anything cached under it
    site = _site(request, version)
    if site is None:
        return Page.route_for_request(request, path)
    key = _key(version, site, path)
    page = versioned_get(key)
    if page is not None:
        request._wagtail_route_for_request = RouteResult(page)
    else:
        result = Page.route_for_request(request, path)
        if result is None:
            return None
        page, args, kwargs = result
        if args or kwargs or type(page).route is not Page.route:
            return result
        versioned_set(key, page, timeout=ROUTE_TIMEOUT)
    _serve_restrictions(page, version)
    return request._wagtail_route_for_request


def serve(request, path):
    """Wagtail's ``serve`` view (its hooks, view restrictions and ``Page.serve``), with the
    site, the route and the view restrictions looked up through the cache first."""
    route_cached(request, path)
    return wagtail_serve(request, path)
