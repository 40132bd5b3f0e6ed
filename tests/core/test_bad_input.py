"""Ids that are malformed, out of range or oversized get a 4xx in every URL that takes one."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from elearning.core.converters import ID_MAX, IdConverter

pytestmark = pytest.mark.django_db

# Project code: every URL these modules define takes ids through the bounded converter.
PROJECT_MODULES = ("elearning", "courses", "quizzes", "progress", "certificates", "xapi", "reports")


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_no_project_url_uses_the_unbounded_int_converter():
    ours = [
        (route, pattern)
        for route, pattern in _patterns(get_resolver())
        if pattern.lookup_str.startswith(PROJECT_MODULES)
    ]
    assert len(ours) > 20  # the walk found the project's URLs, the admin's hooks included
    with_ids = [route for route, pattern in ours if "<id:" in route]
    assert len(with_ids) >= 11, with_ids
    for route, pattern in ours:
        converters = getattr(pattern.pattern, "converters", {})
        assert not any(isinstance(c, IntConverter) for c in converters.values()), route
        assert "<int:" not in route, route


@pytest.mark.parametrize(
    "value", ["0", "1" * 19, str(ID_MAX), str(ID_MAX + 1), "9" * 30, "9" * 5000]
)
def test_the_converter_accepts_exactly_the_ids_a_column_can_hold(value):
    converter = IdConverter()
    import re

    if not re.fullmatch(converter.regex, value):
        return  # too long: no URL matches, a plain 404
    if int(value) > ID_MAX:
        with pytest.raises(ValueError):
            converter.to_python(value)
    else:
        assert converter.to_python(value) == int(value)


LEARNER_POSTS = ["progress:enrol", "progress:leave", "progress:lesson_done", "quizzes:start"]
LEARNER_GETS = ["quizzes:attempt", "quizzes:result"]
HUGE = ["9" * 30, str(ID_MAX + 1), str(2**31), "9" * 400, "-1", "1e9", "0x10", "１２"]


@pytest.mark.parametrize("name", LEARNER_POSTS + LEARNER_GETS)
@pytest.mark.parametrize("value", HUGE)
def test_learner_actions_with_bad_ids_get_404(client, make_user, name, value):
    client.raise_request_exception = False
    client.force_login(make_user())
    url = reverse(name, args=[1]).replace("/1/", f"/{value}/")
    response = client.post(url) if name in LEARNER_POSTS else client.get(url)
    assert response.status_code == 404, url


@pytest.mark.parametrize(
    "path",
    [
        "/admin/certificates/{}/revoke/",
        "/admin/certificates/{}/reissue/",
        "/admin/certificates/{}/retry/",
        "/admin/xapi/{}/retry/",
        "/admin/quizzes/statistics/{}/",
    ],
)
@pytest.mark.parametrize("value", ["9" * 30, str(ID_MAX + 1), "9" * 400])
def test_admin_actions_with_bad_ids_get_404(client, make_user, path, value):
    client.raise_request_exception = False
    client.force_login(make_user(email="admin@example.org", is_superuser=True))
    # No admin URL matches, so the language middleware offers /sv/admin/…, which is not found.
    response = client.post(path.format(value), follow=True)
    assert response.status_code == 404
