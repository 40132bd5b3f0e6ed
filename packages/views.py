"""Playing packages: the launcher and the files (on the package host, by token) and the
commit endpoint (on the site, signed in, CSRF-protected) that stores the run-time data.

See docs/packages.md for why there are two hosts and how the data travels between them."""

from __future__ import annotations

import json
import mimetypes

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from progress.services import ProgressError

from . import cmi, services, storage
from .access import is_enrolled, may_play, package_lesson
from .hosts import on_package_host
from .models import Package, PackageRecord
from .tokens import token_read

# The package files' policy: their own scripts and styles (inline too: authoring tools use
# them), nothing from other origins, framed only by the launcher and the site's wrapper page,
# and sandboxed: no top-level navigation, no plug-ins. The package host is an origin (and a
# site) of its own, so allow-same-origin gives the package that origin, never the site's.
SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-same-origin"


def _policy(site_origin: str, *, package: bool) -> str:
    scripts = "'self' 'unsafe-inline' 'unsafe-eval'" if package else "'self'"
    styles = "'self' 'unsafe-inline'" if package else "'self' 'unsafe-inline'"
    return "; ".join(
        [
            SANDBOX,
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors 'self' {site_origin}",
        ]
    )


def _secured(response, site_origin: str, *, package: bool):
    response["Content-Security-Policy"] = _policy(site_origin, package=package)
    response._csp_exempt = True  # the site's policy middleware leaves this one alone
    response["Cache-Control"] = "private, no-store" if not package else "private, max-age=3600"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _player(request, lesson_id, token):
    """The lesson, its package and the learner of a valid token, or 404."""
    if not on_package_host(request):
        raise Http404
    claims = token_read(token, lesson_id=lesson_id)
    if claims is None:
        raise Http404
    user = get_user_model().objects.filter(pk=claims["u"], is_active=True).first()
    lesson = package_lesson(lesson_id, live_only=False)
    if user is None or lesson is None or not may_play(user, lesson):
        raise Http404
    if not lesson.live and not user.has_perm("wagtailadmin.access_admin"):
        raise Http404
    return user, lesson, claims


def _initial(user, lesson, sco: dict, record: PackageRecord | None) -> dict:
    """What the SCO finds in the data model when it starts: the stored elements of this part
    (to resume) and the read-only ones the LMS provides."""
    package = lesson.package
    stored = dict((record.cmi if record else {}).get(sco["identifier"], {}))
    suspended = (
        stored.get("cmi.core.exit" if package.kind == "scorm12" else "cmi.exit") == "suspend"
    )
    drop = ("exit", "session_time", "adl.nav")
    values = {
        key: value
        for key, value in stored.items()
        if not any(part in key for part in drop)
        and not (
            package.kind == "scorm12" and key.startswith(("cmi.interactions.", "cmi.objectives."))
        )
    }
    name = f"{user.last_name}, {user.first_name}".strip(", ") or str(user.learner_id)
    if package.kind == "scorm12":
        values.update(
            {
                "cmi.core.student_id": str(user.learner_id),
                "cmi.core.student_name": name[:255],
                "cmi.core.entry": "resume" if suspended else ("" if stored else "ab-initio"),
                "cmi.core.credit": "credit",
                "cmi.core.lesson_mode": "normal",
                "cmi.launch_data": sco.get("launch_data", ""),
                "cmi.student_data.mastery_score": sco.get("mastery_score", ""),
            }
        )
    else:
        values.update(
            {
                "cmi.learner_id": str(user.learner_id),
                "cmi.learner_name": name[:250],
                "cmi.entry": "resume" if suspended else ("" if stored else "ab-initio"),
                "cmi.credit": "credit",
                "cmi.mode": "normal",
                "cmi.launch_data": sco.get("launch_data", ""),
            }
        )
    return {key: value for key, value in values.items() if value != ""}


@require_GET
@xframe_options_exempt  # frame-ancestors in the policy says who may frame it
def launch(request, lesson_id, token, part):
    user, lesson, claims = _player(request, lesson_id, token)
    package = lesson.package
    scos = package.scos
    if part >= len(scos):
        raise Http404
    sco = scos[part]
    files = reverse("packages:file", args=[lesson_id, token, "x"])[:-1]
    record = None
    if is_enrolled(user, lesson):
        record = services.session_start(user=user, lesson=lesson)
    data = {
        "version": package.kind,
        "sco": sco["identifier"],
        "siteOrigin": claims["o"],
        "files": files,
    }
    with translation.override(lesson.locale.language_code):
        if package.kind == Package.Kind.H5P:
            state = ((record.cmi if record else {}).get("h5p") or {}).get("state", "")
            data.update(
                {
                    "h5p": {
                        "h5pJsonPath": files.rstrip("/"),
                        "frameJs": static("packages/vendor/h5p-standalone/frame.bundle.js"),
                        "frameCss": static("packages/vendor/h5p-standalone/styles/h5p.css"),
                        "state": state,
                    }
                }
            )
            response = render(
                request,
                "packages/h5p_player.html",
                {"data": data, "title": lesson.title, "language": lesson.locale.language_code},
            )
        else:
            data.update(
                {
                    "launch": files + sco["href"],
                    "cmi": _initial(user, lesson, sco, record),
                    "writable": list(cmi.MODELS[package.kind]),
                }
            )
            response = render(
                request,
                "packages/launcher.html",
                {"data": data, "title": sco["title"], "language": lesson.locale.language_code},
            )
    # H5P's player writes its frame's document with inline scripts: the package's policy.
    return _secured(response, claims["o"], package=package.kind == Package.Kind.H5P)


@require_GET
@xframe_options_exempt
def package_file(request, lesson_id, token, path):
    _user, lesson, claims = _player(request, lesson_id, token)
    found = storage.resolve(lesson.package.folder, path)
    if found is None:
        raise Http404
    content_type, encoding = mimetypes.guess_type(found.name)
    response = FileResponse(
        open(found, "rb"), content_type=content_type or "application/octet-stream"
    )
    if encoding:
        response["Content-Encoding"] = encoding
    if request.headers.get("Origin") == "null" or request.headers.get("Origin") == (
        settings.PACKAGES_ORIGIN
    ):
        response["Access-Control-Allow-Origin"] = request.headers["Origin"]
    return _secured(response, claims["o"], package=True)


@require_POST
def commit(request, lesson_id):
    """The run-time data of one part, relayed by the wrapper page: JSON
    ``{"sco": id, "values": {element: value}, "finished": bool}``. 403 unless the signed-in
    learner is enrolled; 400, and nothing stored, for any value the data model forbids."""
    if on_package_host(request):
        raise Http404
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to take the course.")}, status=403)
    lesson = package_lesson(lesson_id)
    if lesson is None:
        raise Http404
    if not is_enrolled(request.user, lesson):
        return JsonResponse({"error": _("You are not enrolled in this course.")}, status=403)
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": _("The run-time data is not valid JSON.")}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("sco"), str):
        return JsonResponse({"error": _("The run-time data names no part.")}, status=400)
    translation.activate(lesson.locale.language_code)  # messages in the lesson's language
    try:
        record = services.cmi_commit(
            user=request.user,
            lesson=lesson,
            sco=body["sco"],
            values=body.get("values"),
            finished=body.get("finished") is True,
        )
    except cmi.CmiError as error:
        return JsonResponse({"error": str(error)}, status=400)
    except ProgressError as error:
        return JsonResponse({"error": str(error)}, status=403)
    return JsonResponse(_state(lesson, record))


def _state(lesson, record: PackageRecord) -> dict:
    from progress.models import LessonProgress

    done = LessonProgress.objects.filter(
        enrolment=record.enrolment, lesson_key=lesson.translation_key, completed_at__isnull=False
    ).exists()
    return {
        "completed": record.completed,
        "success": record.success,
        "score": record.score_scaled,
        "lesson_completed": done,
        "message": _status_message(record, done),
    }


def _status_message(record, done: bool) -> str:
    parts = []
    if done:
        parts.append(_("The lesson is completed."))
    elif record.completed:
        parts.append(_("The package is completed."))
    else:
        parts.append(_("Your progress is saved."))
    if record.success is True:
        parts.append(_("Passed."))
    elif record.success is False:
        parts.append(_("Not passed yet."))
    if record.score_scaled is not None:
        parts.append(_("Score: %(percent)s %%") % {"percent": round(record.score_scaled * 100)})
    return " ".join(parts)


def not_found(request, *args, **kwargs):
    return HttpResponse(status=404)
