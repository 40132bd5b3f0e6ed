"""The lesson body: one StreamBlock reused by every lesson page.

Every block has an icon, its own template under templates/blocks/, a description and help
texts (Swedish in the admin through the catalogue) and a preview value for the block picker.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# "lang-sv"/"lang-en": the language marks of courses/wagtail_hooks.py (issue 14).
TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "lang-sv", "lang-en"]


def _image_preview() -> dict:
    """The block picker shows the newest uploaded image (or the caption alone before any)."""
    from wagtail.images import get_image_model

    return {
        "image": get_image_model().objects.order_by("-created_at").first(),
        "alt_text": "Diagram över hälsans bestämningsfaktorer",
        "caption": "Figur: hälsans bestämningsfaktorer",
    }


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading (level 2)")), ("h3", _("Subheading (level 3)"))],
        default="h2",
        help_text=_("The lesson title is level 1; start sections at level 2."),
    )

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        label = _("Heading")
        description = _("A section heading, shown in the lesson's outline for screen readers.")
        preview_value = {"text": "Det nationella folkhälsomålet", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(
            features=TEXT_FEATURES,
            help_text=_("Plain, short paragraphs. Links should say where they lead."),
            **kwargs,
        )

    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph.html"
        label = _("Text")
        description = _("Running text with lists, links, bold and italics.")
        preview_value = (
            "<p>Folkhälsopolitiken berör de flesta sektorer i samhället. Inte minst bidrar "
            "lokala och regionala aktörer till arbetet för en god och jämlik hälsa.</p>"
        )


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_(
            "Describe what the image shows for people who cannot see it. Required; "
            "say what matters for the lesson, not 'image of'."
        ),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Image")
        description = _("An image with required alternative text and an optional caption.")
        preview_value = staticmethod(_image_preview)


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=150)
    video = DocumentChooserBlock(
        label=_("Video file"), help_text=_("An MP4 or WebM file uploaded as a document.")
    )
    captions = DocumentChooserBlock(
        label=_("Captions (WebVTT)"),
        help_text=_("Required: a .vtt file with captions in the lesson's language."),
    )
    transcript = blocks.RichTextBlock(
        label=_("Transcript"),
        features=TEXT_FEATURES,
        help_text=_("Required: everything said and shown, for people who cannot watch."),
    )

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")
        description = _("A video with captions and a transcript. It never starts by itself.")
        # No video in the picker's preview: it shows the title and the transcript.
        preview_value = {
            "title": "Folkhälsopolitiken på tre minuter",
            "video": None,
            "captions": None,
            "transcript": "<p>Det som sägs i filmen, i text.</p>",
        }

    def clean(self, value):
        cleaned = super().clean(value)
        errors = {}
        if not cleaned["video"].filename.lower().endswith((".mp4", ".webm")):
            errors["video"] = ValidationError(_("Choose an MP4 or WebM file."))
        if not cleaned["captions"].filename.lower().endswith(".vtt"):
            errors["captions"] = ValidationError(_("Choose a WebVTT (.vtt) captions file."))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return cleaned


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    body = blocks.RichTextBlock(label=_("Text"), features=TEXT_FEATURES)
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("fact", _("Fact")), ("tip", _("Tip")), ("important", _("Important"))],
        default="fact",
    )

    class Meta:
        icon = "info-circle"
        template = "blocks/fact_box.html"
        label = _("Fact box")
        description = _("A highlighted box with a fact, a tip or something important.")
        preview_value = {
            "title": "Visste du?",
            "body": "<p>Folkhälsomålet ska nås till 2048.</p>",
            "kind": "fact",
        }


class KeyFigureBlock(blocks.StructBlock):
    figure = blocks.CharBlock(label=_("Figure"), max_length=20, help_text=_("E.g. 35"))
    label = blocks.CharBlock(label=_("Label"), max_length=80, help_text=_("E.g. indicators"))
    description = blocks.TextBlock(label=_("Explanation"), required=False)

    class Meta:
        icon = "order"
        template = "blocks/key_figure.html"
        label = _("Key figure")
        description = _("One figure, large, with what it counts.")
        preview_value = {"figure": "35", "label": "indikatorer", "description": ""}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(
        label=_("Who says it"), required=False, help_text=_("An organisation, not a person.")
    )
    source_title = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"
        label = _("Quote")
        description = _("A quotation with who said it and where.")
        preview_value = {
            "quote": "Folkhälsopolitiken berör de flesta sektorer i samhället.",
            "attribution": "Folkhälsomyndigheten",
            "source_title": "",
        }


class AccordionItemBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=150)
    body = blocks.RichTextBlock(label=_("Text"), features=TEXT_FEATURES)


class AccordionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=150)
    items = blocks.ListBlock(AccordionItemBlock(), label=_("Sections"), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/accordion.html"
        label = _("Accordion")
        description = _("Sections the learner opens one at a time; all open without JavaScript.")
        preview_value = {
            "title": "",
            "items": [
                {"heading": "Kommuner", "body": "<p>Ansvarar för många välfärdstjänster.</p>"}
            ],
        }


class ReflectionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Question"))
    hint = blocks.TextBlock(
        label=_("Hint"), required=False, help_text=_("Something to think about while answering.")
    )

    class Meta:
        icon = "help"
        template = "blocks/reflection.html"
        label = _("Reflection")
        description = _("A question for the learner to think about. Not graded.")
        preview_value = {
            "question": "Vilka hälsoklyftor finns i din kommun?",
            "hint": "Tänk på olika grupper och olika delar av kommunen.",
        }


class SourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=250)
    publisher = blocks.CharBlock(label=_("Publisher"), max_length=150)
    date = blocks.DateBlock(label=_("Date"), required=False)
    url = blocks.URLBlock(label=_("Address (URL)"), required=False)
    # Issue 14 (WCAG 3.1.2): a Swedish report cited in an English lesson gets lang="sv".
    language = blocks.ChoiceBlock(
        label=_("Language of the source"),
        choices=[("", _("Same as the page")), ("sv", _("Swedish")), ("en", _("English"))],
        default="",
        required=False,
        help_text=_("Choose when the title is in another language than the lesson."),
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/source.html"
        label = _("Source")
        description = _("A source the lesson builds on; listed under 'Sources' at the end.")
        preview_value = {
            "title": "Lokalt och regionalt folkhälsoarbete",
            "publisher": "Folkhälsomyndigheten",
            "date": None,
            "url": "",
            "language": "",
        }


class LessonStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    video = VideoBlock()
    fact_box = FactBoxBlock()
    key_figure = KeyFigureBlock()
    quote = QuoteBlock()
    accordion = AccordionBlock()
    reflection = ReflectionBlock()
    source = SourceBlock()

    class Meta:
        block_counts = {"source": {"min_num": 1}}
