"""The attempt form's questions, written out in Python (issue 17).

The attempt page is what every taker of a webinar opens right after starting, and its
questions are different for each attempt (its tokens, its order, its saved answers), so no
fragment of it can be shared. Django's template engine took about two thirds of the page's
time rendering the question loops (hundreds of variable nodes a page); this tag writes the
same markup with ``format_html``, escaping every text, token and id as the template did, with
the template's own message ids (so the translations apply unchanged).
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _choices(q, kind, lang_attr) -> str:
    return format_html_join(
        "\n",
        '<div class="choice"><input type="{}" name="q-{}" id="q-{}-{}" value="{}"{}>'
        '<label for="q-{}-{}"{}>{}</label></div>',
        (
            (
                kind,
                q.id,
                q.id,
                number,
                choice.id,
                mark_safe(" checked") if choice.selected else "",
                q.id,
                number,
                lang_attr,
                choice.text,
            )
            for number, choice in enumerate(q.choices, start=1)
        ),
    )


def _menu(q, row, first: str, lang_attr, options_html) -> str:
    return format_html(
        '<div class="choice choice--select">\n<label for="q-{}-{}"{}>{}</label>\n'
        '<select name="q-{}-{}" id="q-{}-{}">\n<option value="">{}</option>\n{}\n</select>\n'
        "</div>",
        q.id,
        row["id"],
        lang_attr,
        row["text"],
        q.id,
        row["id"],
        q.id,
        row["id"],
        first,
        options_html,
    )


@register.simple_tag
def attempt_question(q, lang_attr=""):
    """One question of the attempt form (a ``selectors.FormQuestion``) as its fieldset."""
    if q.type in ("single", "true_false"):
        body = _choices(q, "radio", lang_attr)
    elif q.type == "multiple":
        body = format_html(
            '<p class="meta">{}</p>\n{}',
            gettext("Choose all that apply."),
            _choices(q, "checkbox", lang_attr),
        )
    elif q.type == "ordering":
        menus = []
        for row in q.rows:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (
                        position,
                        mark_safe(" selected") if row["selected"] == position else "",
                        position,
                    )
                    for position in q.positions
                ),
            )
            menus.append(_menu(q, row, gettext("Position"), lang_attr, html))
        body = format_html(
            '<p class="meta">{}</p>\n{}',
            gettext("Give each item its position: 1 comes first."),
            mark_safe("\n".join(menus)),
        )
    elif q.type == "matching":
        menus = []
        for row in q.rows:
            html = format_html_join(
                "",
                '<option value="{}"{}{}>{}</option>',
                (
                    (
                        choice.id,
                        mark_safe(" selected") if row["selected"] == choice.id else "",
                        lang_attr,
                        choice.text,
                    )
                    for choice in q.choices
                ),
            )
            menus.append(_menu(q, row, gettext("Choose"), lang_attr, html))
        body = mark_safe("\n".join(menus))
    else:
        body = format_html(
            '<label class="visually-hidden" for="q-{}">{}</label>\n'
            '<textarea name="q-{}" id="q-{}" rows="4" maxlength="5000"{}>{}</textarea>\n'
            '<p class="meta">{}</p>',
            q.id,
            gettext("Your thoughts"),
            q.id,
            q.id,
            lang_attr,
            q.text_answer,
            gettext("Not graded: write what you think."),
        )
    points = ""
    if q.type != "reflection":
        points = format_html(
            ' <span class="meta">({})</span>',
            ngettext("%(points)s point", "%(points)s points", q.points) % {"points": q.points},
        )
    return format_html(
        '<fieldset class="question" id="question-{}">\n<legend><span class="question__number">'
        "{}</span> <span{}>{}</span>{}</legend>\n{}\n</fieldset>",
        q.number,
        gettext("Question %(number)s") % {"number": q.number},
        lang_attr,
        q.text,
        points,
        body,
    )
