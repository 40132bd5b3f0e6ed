"""Question types, as blocks of one StreamField on the quiz.

Wagtail gives every question (stream child) and every option (list item) a stable UUID; the
attempt snapshot and the answers refer to those ids.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

FEATURES = ["bold", "italic", "link", "ul", "ol", "lang-sv", "lang-en"]  # language marks: issue 14


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Option"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.CharBlock(
        label=_("Feedback"), required=False, max_length=300,
        help_text=_("Shown after the attempt to learners who chose this option (review allowing)."),
    )  # fmt: skip


class QuestionBase(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Question"))
    points = blocks.IntegerBlock(label=_("Points"), default=1, min_value=0, max_value=100)
    explanation = blocks.RichTextBlock(
        label=_("Explanation"), features=FEATURES, required=False,
        help_text=_("Why the answer is what it is; shown in the review."),
    )  # fmt: skip
    tag = blocks.CharBlock(
        label=_("Tag"), required=False, max_length=80,
        help_text=_("E.g. the module the question checks; used to reuse and to sort questions."),
    )  # fmt: skip


class SingleChoiceBlock(QuestionBase):
    options = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=2)

    class Meta:
        icon = "radio-full"
        label = _("Single choice")
        description = _("One correct option among several.")


class MultipleResponseBlock(QuestionBase):
    options = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=2)
    scoring = blocks.ChoiceBlock(
        label=_("Scoring"),
        choices=[("all_or_nothing", _("All or nothing")), ("partial", _("Partial credit"))],
        default="partial",
        help_text=_(
            "Partial credit: each right choice adds, each wrong choice subtracts; never below 0."
        ),
    )

    class Meta:
        icon = "tasks"
        label = _("Multiple response")
        description = _("Several options may be correct.")


class TrueFalseBlock(QuestionBase):
    correct = blocks.BooleanBlock(
        label=_("The statement is true"), required=False,
        help_text=_("Tick if the statement is true; leave empty if it is false."),
    )  # fmt: skip
    feedback_true = blocks.CharBlock(label=_("Feedback for 'true'"), required=False)
    feedback_false = blocks.CharBlock(label=_("Feedback for 'false'"), required=False)

    class Meta:
        icon = "circle-check"
        label = _("True or false")
        description = _("A statement the learner judges true or false.")


class OrderingBlock(QuestionBase):
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=200), label=_("Items, in the correct order"), min_num=2
    )

    class Meta:
        icon = "order"
        label = _("Ordering")
        description = _("Put items in order; answered with menus, no dragging needed.")


class PairBlock(blocks.StructBlock):
    prompt = blocks.CharBlock(label=_("Prompt"), max_length=200)
    match = blocks.CharBlock(label=_("Matching answer"), max_length=200)


class MatchingBlock(QuestionBase):
    pairs = blocks.ListBlock(PairBlock(), label=_("Pairs"), min_num=2)

    class Meta:
        icon = "link"
        label = _("Matching")
        description = _("Match each prompt with its answer, using menus.")


class ReflectionQuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Question"))
    tag = blocks.CharBlock(label=_("Tag"), required=False, max_length=80)

    class Meta:
        icon = "edit"
        label = _("Reflection (ungraded)")
        description = _("Free text, counted as answered, never graded.")


class QuestionStreamBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_response = MultipleResponseBlock()
    true_false = TrueFalseBlock()
    ordering = OrderingBlock()
    matching = MatchingBlock()
    reflection = ReflectionQuestionBlock()

    class Meta:
        min_num = 1


class FeedbackBandBlock(blocks.StructBlock):
    minimum_percent = blocks.IntegerBlock(label=_("From score (%)"), min_value=0, max_value=100)
    text = blocks.TextBlock(label=_("Feedback"))
