"""Site search over courses, modules and lessons, in the language of the page."""

from django.core.paginator import InvalidPage, Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Page

from .models import CoursePage, LessonPage, ModulePage

MAX_QUERY_LENGTH = 200
PER_PAGE = 10


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()
    error = None
    results = None
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Your search is too long. Use at most %(count)d characters.") % {
            "count": MAX_QUERY_LENGTH
        }
    elif query:
        pages = (
            Page.objects.live()
            .public()
            .filter(locale=Locale.get_active())
            .type(CoursePage, ModulePage, LessonPage)
            .search(query)
        )
        paginator = Paginator(pages, PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except InvalidPage:
            results = paginator.page(1)
    context = {
        "query": query,
        "results": results,
        # (page, kind) pairs: the page type's name without loading each specific page.
        "hits": [(page, page.specific_class.get_verbose_name()) for page in results or []],
        "error": error,
    }
    return render(request, "courses/search.html", context, status=400 if error else 200)
