"""The learner's address of a package's files: a signed token in the path.

The package host never receives the site's cookies, so it cannot tell who asks from a
session. The wrapper page (on the site, signed in) issues a token naming the learner, the
lesson and the site origin that frames it; package files are served to whoever holds a valid,
unexpired token, and every request checks again that its learner may still see the lesson.
"""

from django.conf import settings
from django.core import signing

SALT = "packages.play"


def token_issue(*, user, lesson, site_origin: str) -> str:
    return signing.dumps({"u": user.pk, "l": lesson.pk, "o": site_origin}, salt=SALT)


def token_read(token: str, *, lesson_id: int) -> dict | None:
    """The token's claims, or None when it is forged, expired or for another lesson."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.PACKAGES_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("l") != lesson_id:
        return None
    return claims
