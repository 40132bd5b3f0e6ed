from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report


@never_cache
@require_GET
def health(request):
    """JSON status of the database, the broker and the LRS; 503 when any is down."""
    ok, checks = health_report()
    status = "error" if not ok else "degraded" if checks["lrs"].get("degraded") else "ok"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ok else 503)
