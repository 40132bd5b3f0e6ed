"""The accessibility statement's list of known shortcomings (Digg's model: what is not
accessible, the WCAG success criteria it fails, and what we do about it)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class ShortcomingBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("What is not accessible"), max_length=200)
    description = blocks.TextBlock(
        label=_("Description"), help_text=_("Who it affects and how, in plain words.")
    )
    criteria = blocks.CharBlock(
        label=_("WCAG success criteria"),
        max_length=300,
        help_text=_("E.g. 1.1.1 Non-text content, 2.1.1 Keyboard (WCAG 2.1)."),
    )
    plan = blocks.TextBlock(
        label=_("What we do about it"),
        help_text=_("The plan and when it is due, or how to get the content another way."),
    )

    class Meta:
        icon = "warning"
        label = _("Shortcoming")
        template = "legal/blocks/shortcoming.html"
