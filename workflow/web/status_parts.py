"""Parts of the status page worked out before the template places them."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from forms.dynamic import widget_of
from workflow.services import progress
from workflow.web.i18n import current_lang


def steps_html(program, state: str, audience: str) -> Markup:
    """The steps of the whole process with the current one marked (applicant/_steps.html), rendered once
    per program version, state, language and audience: a long process has some twenty steps, which cost
    Jinja more than the rest of the page's panels together, and they never change for one version."""
    lang = current_lang()
    key = ("steps_html", state, lang, audience)
    html = program.derived.get(key)
    if html is None:
        steps = progress.steps(program, state, lang, audience)
        current = next((step.number for step in steps if step.status == "current"), None)
        html = program.derived[key] = Markup(
            render_template("applicant/_steps.html", steps=steps, current_step=current)
        )
    return html


def uploads(program, data: dict) -> list[tuple]:
    """(field, stored file) of each file field holding an upload, in the file's order."""
    fields = [spec for spec in program.fields.values() if widget_of(spec) == "file"]
    return [(spec, data[spec.name]) for spec in fields if data.get(spec.name)]
