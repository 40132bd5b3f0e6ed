"""Admin wiring for the content: the rich-text editor's language marks (issue 14).

An author marks a word or a passage in the other language of the site ("Nära vård" in an
English lesson) with the "SV" or "EN" button; the database (and the page) get
``<span lang="sv">…</span>``, so screen readers pronounce it in its own language (WCAG 3.1.2).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.rich_text.converters.html_to_contentstate import InlineStyleElementHandler
from wagtail.admin.rich_text.editors.draftail.features import InlineStyleFeature

# feature name, Draftail style type, the lang attribute, the button's description
LANGUAGE_MARKS = [
    ("lang-sv", "LANG_SV", "sv", _("In Swedish (language of this part)")),
    ("lang-en", "LANG_EN", "en", _("In English (language of this part)")),
]


@hooks.register("register_rich_text_features")
def language_marks_register(features):
    for name, style, language, description in LANGUAGE_MARKS:
        features.register_editor_plugin(
            "draftail",
            name,
            InlineStyleFeature(
                {"type": style, "label": language.upper(), "description": description}
            ),
        )
        features.register_converter_rule(
            "contentstate",
            name,
            {
                "from_database_format": {
                    f'span[lang="{language}"]': InlineStyleElementHandler(style)
                },
                "to_database_format": {
                    "style_map": {style: {"element": "span", "props": {"lang": language}}}
                },
            },
        )
