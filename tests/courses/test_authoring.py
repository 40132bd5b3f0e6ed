"""Authors build courses in the Wagtail admin: the tree is enforced, every block type can be
used through the admin forms, publishing goes through review."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page, Workflow
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import CourseCataloguePage, CoursePage, HomePage, LessonPage, ModulePage
from elearning.accounts import roles
from elearning.accounts.models import User
from elearning.core.services import site_setup


def every_block(image, video, captions):
    """A lesson body with each block type once, as the admin form posts it."""
    return streamfield(
        [
            ("heading", {"text": "Målet", "level": "h2"}),
            ("paragraph", rich_text("<p>Folkhälsopolitiken berör de flesta sektorer.</p>")),
            ("image", {"image": image.pk, "alt_text": "Ett diagram", "caption": "Figur 1"}),
            (
                "video",
                {
                    "title": "Film",
                    "video": video.pk,
                    "captions": captions.pk,
                    "transcript": rich_text("<p>Allt som sägs.</p>"),
                },
            ),
            ("fact_box", {"title": "Visste du?", "body": rich_text("<p>2048</p>"), "kind": "fact"}),
            ("key_figure", {"figure": "35", "label": "indikatorer", "description": ""}),
            (
                "quote",
                {"quote": "Citat.", "attribution": "SKR", "source_title": "Strategi för hälsa"},
            ),
            (
                "accordion",
                {
                    "title": "Aktörer",
                    "items": streamfield(
                        [("item", {"heading": "Kommuner", "body": rich_text("<p>Ansvar.</p>")})]
                    ),
                },
            ),
            ("reflection", {"question": "Vad gör din kommun?", "hint": ""}),
            (
                "source",
                {
                    "title": "Strategi för hälsa",
                    "publisher": "SKR",
                    "date": "2023-02-01",
                    "url": "",
                },
            ),
        ]
    )


@pytest.mark.django_db
class TestAuthoring(WagtailPageTestCase):
    def setUp(self):
        site_setup()
        self.author = User.objects.create_user("author@example.org", "a-long-test-password")
        self.author.groups.add(Group.objects.get(name=roles.AUTHORS))
        self.client.force_login(self.author)
        self.catalogue = CourseCataloguePage.objects.get(locale__language_code="sv")

    def test_the_tree_is_enforced(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseCataloguePage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertCanNotCreateAt(HomePage, LessonPage)
        self.assertCanNotCreateAt(CoursePage, LessonPage)
        self.assertCanNotCreateAt(CourseCataloguePage, ModulePage)
        self.assertCanNotCreateAt(Page, CoursePage)

    def test_a_disallowed_placement_is_refused_by_the_admin(self):
        url = f"/admin/pages/add/courses/lessonpage/{self.catalogue.pk}/"
        response = self.client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        data = {"title": "Fel plats", "slug": "fel-plats", "estimated_minutes": 5}
        self.client.post(url, nested_form_data({**data, "body": streamfield([])}))
        assert not LessonPage.objects.filter(slug="fel-plats").exists()

    def publisher(self):
        reviewer = User.objects.create_user("reviewer@example.org", "a-long-test-password")
        reviewer.groups.add(Group.objects.get(name=roles.REVIEWERS))
        self.client.force_login(reviewer)
        return reviewer

    def test_an_author_creates_course_module_and_lesson_with_every_block(self):
        image = get_image_model().objects.create(title="Diagram", file=get_test_image_file())
        documents = get_document_model()
        video = documents.objects.create(title="Film", file=ContentFile(b"\x00", name="film.mp4"))
        captions = documents.objects.create(
            title="Undertexter", file=ContentFile(b"WEBVTT\n", name="film.vtt")
        )
        self.assertCanCreate(
            self.catalogue,
            CoursePage,
            {
                **nested_form_data(
                    {
                        "title": "Ny kurs",
                        "slug": "ny-kurs",
                        "summary": "Sammanfattning.",
                        "learning_objectives": rich_text("<ul><li>Förklara.</li></ul>"),
                        "intended_audience": "Förtroendevalda",
                        "prerequisites": rich_text(""),
                        "issues_certificate": "on",
                    }
                ),
                # A multiple choice posts one value per ticked box.
                "audiences": ["elected", "official"],
            },
            publish=False,
        )
        course = CoursePage.objects.get(slug="ny-kurs")
        assert course.audiences == ["elected", "official"]
        self.assertCanCreate(
            course,
            ModulePage,
            nested_form_data(
                {"title": "Modul", "slug": "modul", "summary": "", "required_for_completion": "on"}
            ),
            publish=False,
        )
        module = ModulePage.objects.get(slug="modul")
        self.assertCanCreate(
            module,
            LessonPage,
            nested_form_data(
                {
                    "title": "Lektion",
                    "slug": "lektion",
                    "summary": "",
                    "estimated_minutes": 5,
                    "body": every_block(image, video, captions),
                }
            ),
            publish=False,  # authors save drafts and submit them for review
        )
        lesson = LessonPage.objects.get(slug="lektion")
        assert [block.block_type for block in lesson.body] == [
            "heading", "paragraph", "image", "video", "fact_box",
            "key_figure", "quote", "accordion", "reflection", "source",
        ]  # fmt: skip
        # An author's pages are drafts: publishing goes through review.
        assert not lesson.live

    def test_a_lesson_without_a_source_cannot_be_published(self):
        # Wagtail saves incomplete drafts; the rules hold when a page is published.
        self.publisher()
        course = CoursePage(
            title="K", slug="k", summary="s", learning_objectives="<p>x</p>", intended_audience="a"
        )
        self.catalogue.add_child(instance=course)
        module = course.add_child(instance=ModulePage(title="M", slug="m"))
        response = self.client.post(
            f"/admin/pages/add/courses/lessonpage/{module.pk}/",
            nested_form_data(
                {
                    "title": "Utan källa",
                    "slug": "utan-kalla",
                    "summary": "",
                    "estimated_minutes": 5,
                    "body": streamfield([("paragraph", rich_text("<p>Text.</p>"))]),
                    "action-publish": "publish",
                }
            ),
        )
        assert response.status_code == 200  # the form again, with the error
        errors = response.context["form"].errors
        assert list(errors) == ["body"], errors
        assert not LessonPage.objects.filter(slug="utan-kalla").exists()

    def test_a_cover_image_needs_alternative_text(self):
        self.publisher()
        image = get_image_model().objects.create(title="Omslag", file=get_test_image_file())
        response = self.client.post(
            f"/admin/pages/add/courses/coursepage/{self.catalogue.pk}/",
            nested_form_data(
                {
                    "title": "Kurs med bild",
                    "slug": "kurs-med-bild",
                    "summary": "s",
                    "learning_objectives": rich_text("<p>x</p>"),
                    "intended_audience": "a",
                    "prerequisites": rich_text(""),
                    "cover_image": image.pk,
                    "cover_image_alt": "",
                }
            ),
        )
        assert response.status_code == 200
        assert (
            "alternative text is required" in response.content.decode()
            or "alternativtext" in response.content.decode()
        )
        assert not CoursePage.objects.filter(slug="kurs-med-bild").exists()

    def test_an_author_translates_a_course_with_its_modules_and_lessons(self):
        from tests.factories import course_tree

        course, lessons = course_tree(modules=1, lessons_per_module=2, slug="oversatt")
        english = Locale.objects.get(language_code="en")
        response = self.client.post(
            f"/admin/translation/submit/page/{course.pk}/",
            {"locales": [english.pk], "include_subtree": "on"},
        )
        assert response.status_code == 302
        for page in [course, *lessons]:
            translation = page.get_translation(english)
            assert translation.translation_key == page.translation_key
            assert not translation.live  # a draft for the author to translate and submit
        assert LessonPage.objects.filter(locale=english).count() == 2

    def test_every_block_has_help_and_a_preview_in_the_block_picker(self):
        from courses.blocks import LessonStreamBlock

        for name, block in LessonStreamBlock().child_blocks.items():
            assert block.is_previewable, name
            assert block.get_description(), name
            assert block.meta.icon and block.meta.template == f"blocks/{name}.html", name
            assert block.render(block.get_preview_value()).strip(), name

    def test_an_author_cannot_reach_user_administration(self):
        assert self.client.get("/admin/users/").status_code == 302
        assert self.client.get("/admin/users/new/").status_code == 302
        assert self.client.get("/admin/groups/").status_code == 302

    def test_an_author_cannot_publish_but_a_reviewer_approves(self):
        course = CoursePage(
            title="K",
            slug="k",
            summary="s",
            learning_objectives="<p>x</p>",
            intended_audience="a",
            live=False,
        )
        self.catalogue.add_child(instance=course)
        assert not course.permissions_for_user(self.author).can_publish()
        workflow = course.get_workflow()
        assert workflow == Workflow.objects.get(name=roles.REVIEW_WORKFLOW)

        revision = course.save_revision(user=self.author)
        state = workflow.start(course, self.author)
        reviewer = self.publisher()
        assert course.permissions_for_user(reviewer).can_publish()
        task_state = state.current_task_state
        task_state.task.specific.on_action(task_state, reviewer, "approve")
        course.refresh_from_db()
        assert course.live
        assert course.live_revision == revision
