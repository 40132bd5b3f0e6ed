"""Upload validation: every broken kind of package is refused with a clear message in
Swedish and English, and nothing of it is stored; the valid samples import."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from packages import storage
from packages.inspection import PackageRefused
from packages.models import Package
from packages.services import package_create
from tests.packages.conftest import (
    H5P,
    SCORM12_MULTI,
    SCORM12_SINGLE,
    SCORM2004,
    manifest_12,
    sample,
    zip_of,
)

pytestmark = pytest.mark.django_db


def stored_folders():
    return sorted(p.name for p in storage.root().iterdir()) if storage.root().is_dir() else []


def refused(file, language="sv") -> str:
    before = stored_folders()
    with translation.override(language), pytest.raises(PackageRefused) as caught:
        package_create(file, name="x.zip")
    assert Package.objects.count() == 0 and stored_folders() == before  # nothing stored
    return str(caught.value)


def bomb() -> io.BytesIO:
    return zip_of({"imsmanifest.xml": manifest_12(), "index.html": "<p>x</p>" + " " * 5_000_000})


@pytest.mark.parametrize(
    ("make", "swedish", "english"),
    [
        (lambda: io.BytesIO(b"<html>not a zip</html>"), "inte ett zip-arkiv", "not a zip"),
        (lambda: sample("invalid.zip").open("rb"), "saknar manifest", "no manifest"),
        (lambda: sample("badscorm.zip").open("rb"), "ligger i en undermapp", "sub-folder"),
        (
            lambda: zip_of(
                {
                    "imsmanifest.xml": manifest_12(files=("index.html", "bild.png")),
                    "index.html": "x",
                }
            ),
            "filer som paketet inte innehåller: bild.png",
            "does not hold: bild.png",
        ),
        (
            lambda: zip_of(
                {"imsmanifest.xml": manifest_12(), "index.html": "x", "../utanfor.html": "x"}
            ),
            "utanför sig självt",
            "outside itself",
        ),
        (
            lambda: zip_of(
                {"imsmanifest.xml": manifest_12(), "index.html": "x", "/etc/cron.d/x": "x"}
            ),
            "utanför sig självt",
            "outside itself",
        ),
        (
            lambda: zip_of({"imsmanifest.xml": manifest_12(href="../index.html")}),
            "utanför sig självt",
            "outside itself",
        ),
        (
            lambda: zip_of(
                {"imsmanifest.xml": manifest_12(), "index.html": "x", "lank": "/etc/passwd"},
                symlinks={"lank"},
            ),
            "symbolisk länk",
            "symbolic link",
        ),
        (bomb, "zip-bomb", "zip bomb"),
        (
            lambda: zip_of({"imsmanifest.xml": "<manifest><unclosed>", "index.html": "x"}),
            "inte välformad XML",
            "not well-formed XML",
        ),
        (
            lambda: zip_of({"h5p.json": "{not json", "content/content.json": "{}"}),
            "inte giltig JSON",
            "not valid JSON",
        ),
    ],  # fmt: skip
    ids=[
        "not-a-zip",
        "no-manifest",
        "manifest-in-sub-folder",
        "missing-resource",
        "path-traversal",
        "absolute-path",
        "launch-outside",
        "symlink",
        "zip-bomb",
        "unparseable-manifest",
        "unparseable-h5p",
    ],  # fmt: skip
)
def test_broken_packages_are_refused_in_both_languages_and_nothing_is_stored(
    site, make, swedish, english
):
    assert swedish in refused(make(), "sv")
    assert english in refused(make(), "en")


def test_size_and_file_count_limits_refuse(site, settings):
    settings.PACKAGES_MAX_FILES = 2
    files = {"imsmanifest.xml": manifest_12(), "index.html": "x", "extra.css": "x"}
    assert "högst 2" in refused(zip_of(files))
    settings.PACKAGES_MAX_FILES = 5000
    settings.PACKAGES_MAX_BYTES = 100
    assert "högst 100" in refused(zip_of(files | {"index.html": "x" * 200}))


def test_the_valid_samples_import_in_manifest_order(site):
    kinds = {}
    for name in (SCORM12_SINGLE, SCORM12_MULTI, SCORM2004, H5P):
        with sample(name).open("rb") as file:
            package = package_create(file, name=name)
        kinds[name] = (package.kind, len(package.scos))
        assert storage.resolve(package.folder, "imsmanifest.xml" if package.kind != "h5p"
                               else "h5p.json") is not None  # fmt: skip
    assert kinds == {
        SCORM12_SINGLE: ("scorm12", 1), SCORM12_MULTI: ("scorm12", 18),
        SCORM2004: ("scorm2004", 1), H5P: ("h5p", 1),
    }  # fmt: skip
    multi = Package.objects.get(original_name=SCORM12_MULTI)
    assert [s["title"] for s in multi.scos][:2] == ["How to Play", "Par?"]
    assert multi.scos[5]["href"] == "shared/assessmenttemplate.html?questions=Playing"
    # The same file twice is stored once (content-addressed folder).
    with sample(H5P).open("rb") as file:
        again = package_create(file, name=H5P)
    assert again.folder == Package.objects.get(original_name=H5P, pk__lt=again.pk).folder


def test_package_import_command_adds_a_lesson_or_refuses(site, capsys):
    from courses.models import ModulePage
    from packages.models import H5PLessonPage
    from tests.factories import course_tree

    course, _ = course_tree(modules=1, lessons_per_module=1, slug="import")
    module = ModulePage.objects.child_of(course).first()
    call_command("package_import", str(sample(H5P)), module=module.pk, title="Sant eller falskt",
                 publish=True)  # fmt: skip
    lesson = H5PLessonPage.objects.get(title="Sant eller falskt")
    assert lesson.live and lesson.get_parent().pk == module.pk and lesson.package.kind == "h5p"
    assert "Imported h5p-test.h5p" in capsys.readouterr().out
    with pytest.raises(CommandError, match="was refused"):
        call_command("package_import", str(sample("badscorm.zip")), module=module.pk)
    with pytest.raises(CommandError, match="No module"):
        call_command("package_import", str(sample(H5P)), module=999999)
    assert H5PLessonPage.objects.count() == 1


def test_zip_entries_are_never_written_outside_the_folder(site, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest_12())
        archive.writestr("index.html", "x")
        archive.writestr("a/../../flykt.html", "x")
    assert "utanför sig självt" in refused(buffer)
