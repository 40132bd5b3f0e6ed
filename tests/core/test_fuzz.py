"""Every public URL, GET and POST, as anonymous visitor, learner and manager, with random ids,
strings, unicode and huge values in the path, the query and the form: never a 500.

The URL patterns are enumerated from the URL configuration (so a new view is fuzzed without
anyone adding it here); the admin (/admin/) is left out, being neither public nor ours."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.models import ModulePage
from elearning.accounts import roles
from elearning.organisations.models import Organisation
from progress.services import enrolment_create
from tests.factories import course_tree, quiz_in

pytestmark = pytest.mark.django_db

NOT_PUBLIC = ("admin/",)
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Field and parameter names the site's forms and filters read, and some they do not.
FIELD_NAMES = [
    *("email", "username", "password", "password1", "password2", "first_name", "last_name"),
    *("organisation", "role_category", "preferred_language", "confirm", "next", "q", "page"),
    *("format", "issued_from", "issued_until", "course", "from", "until", "role", "month"),
    *("county", "kind", "module", "language", "reason", "token", "csrfmiddlewaretoken"),
    *("q-1", "q-abc", "q-1-2", "answer", "attempt", "sort", "order", "export", "x"),
]


def public_routes() -> list[str]:
    """Every route under the language prefix and outside it, as '/sv/…/<conv:name>/'."""
    routes = []

    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            pattern = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if prefix + pattern not in NOT_PUBLIC:
                    walk(entry, prefix + pattern)
            elif isinstance(entry, URLPattern):
                routes.append("/" + prefix + pattern.lstrip("^").rstrip("$"))

    with translation.override("sv"):
        walk(get_resolver(), "")
    return sorted(set(routes))


hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["", " ", "\x00", "../../etc/passwd", "%00", "<script>", "' OR 1=1 --"]),
    st.integers(min_value=2, max_value=200_000).map(lambda n: "9" * n),
    st.integers(min_value=2, max_value=140_000).map(lambda n: "å" * n),
)
hostile_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["9" * 30, "0", "-1", "1e400", "NaN", "Infinity", "0x1f", "١٢٣", "1.5"]),
)
hostile_value = st.one_of(hostile_text, hostile_number)


@pytest.fixture
def world(make_user, site):
    """A course with a module quiz, a learner enrolled in it, and a manager of their
    organisation; the ids that exist are mixed into the random ones."""
    course, lessons = course_tree(modules=1, lessons_per_module=2, slug="fuzz")
    module = ModulePage.objects.child_of(course).get()
    quiz, quiz_page = quiz_in(module)
    learner = make_user(email="fuzz.learner@example.org")
    enrolment_create(user=learner, course=course)
    manager = make_user(email="fuzz.manager@example.org")
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    manager.managed_organisations.add(Organisation.objects.get(kind="municipality", code="0180"))
    return {
        "users": {"anonymous": None, "learner": learner, "manager": manager},
        "ids": [str(page.pk) for page in (course, module, quiz_page, *lessons)],
        "paths": [page.url for page in (course, module, quiz_page, *lessons)],
    }


def _value_for(converter: str | None, ids: list[str]):
    if converter == "id":
        return st.one_of(st.sampled_from(ids), hostile_number)
    return st.one_of(st.sampled_from(ids), hostile_text)


def _fill(route: str, data, ids) -> str:
    def replace(match):
        value = data.draw(_value_for(match.group("converter"), ids))
        return quote(value, safe="") or "x"

    return PLACEHOLDER.sub(replace, route)


@pytest.mark.parametrize("who", ["anonymous", "learner", "manager"])
def test_no_request_gets_a_server_error(client, world, who):
    routes = public_routes()
    assert len(routes) >= 25, routes  # the walk reached the project's URLs
    user = world["users"][who]
    if user is not None:
        client.force_login(user)
    client.raise_request_exception = False
    server_errors = []
    statuses = []

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def request_once(data):
        route = data.draw(st.sampled_from(routes + world["paths"]), label="route")
        path = _fill(route, data, world["ids"])
        params = data.draw(
            st.dictionaries(
                st.one_of(st.sampled_from(FIELD_NAMES), st.text(min_size=1, max_size=10)),
                hostile_value,
                max_size=4,
            ),
            label="parameters",
        )
        method = data.draw(st.sampled_from(["get", "post", "post_query"]), label="method")
        if method == "get":
            response = client.get(path, params)
        elif method == "post":
            response = client.post(path, params)
        else:  # the form in the body, the parameters in the address
            query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
            response = client.post(f"{path}?{query}", params)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            server_errors.append((method, path[:200], {k: v[:80] for k, v in params.items()}))
        assert response.status_code < 500, server_errors[-1]

    request_once()
    assert not server_errors
    # The requests reached views, not only the 404 page: pages answered, forms refused input.
    assert any(200 <= status < 300 for status in statuses), sorted(set(statuses))
    assert any(400 <= status < 500 for status in statuses), sorted(set(statuses))
