"""The app's own translation calls (workflow/web/i18n.py: one look-up of the request's translations instead of
Flask-Babel's three) give exactly what Flask-Babel and Jinja's newstyle gettext give."""

from __future__ import annotations

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale
from jinja2 import Environment

from tests.web.conftest import make_app
from workflow.web.i18n import _catalogue, gettext, lazy_gettext

# (template call, variables): a catalogue text, one with a variable, a text unknown to the catalogue,
# "%%" with and without variables, and markup in a variable (escaped) and in a msgid (kept)
TEMPLATE_CASES = [
    ('_("Search")', {}),
    ('_("Page %(n)s", n=n)', {"n": 7}),
    ('_("%(total)s applications · page %(page)s of %(pages)s", total=1, page=2, pages=3)', {}),
    ('_("at most %(limit)s%%", limit=limit)', {"limit": "<b>75</b>"}),
    ('_("100%% <em>not</em> in the catalogue")', {}),
    ('_("Not in the catalogue: %(x)s", x=x)', {"x": "<script>alert(1)</script>"}),
]
PYTHON_CASES = [("Search", {}), ("Page %(n)s", {"n": 7}), ("Tick #%(id)s", {"id": 12}), ("Unknown %%", {})]


@pytest.fixture
def app(sqlite_engine, clock, tmp_path):
    return make_app(sqlite_engine, clock, tmp_path)


def _reference(autoescape: bool) -> Environment:
    """Jinja's own newstyle gettext over the same translations."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
    )
    return env


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_underscore_in_templates_gives_what_jinjas_newstyle_gettext_gives(app, lang, autoescape):
    reference = _reference(autoescape)
    with app.test_request_context("/"), force_locale(lang):
        for call, variables in TEMPLATE_CASES:
            source = "{{ " + call + " }}"
            ours = app.jinja_env.from_string(
                source if autoescape else "{% autoescape false %}" + source + "{% endautoescape %}"
            )
            assert ours.render(**variables) == reference.from_string(source).render(**variables), (call, lang)
        assert render_template_string('{{ _("Search") }}') == ("검색" if lang == "ko" else "Search")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_gettext_and_lazy_gettext_give_what_flask_babel_gives(app, lang):
    with app.test_request_context("/"), force_locale(lang):
        for text, variables in PYTHON_CASES:
            expected = flask_babel.gettext(text, **variables)
            assert gettext(text, **variables) == expected
            assert str(lazy_gettext(text, **variables)) == expected


def test_force_locale_switches_inside_one_request(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            assert gettext("Search") == "Search"
        with force_locale("ko"):
            assert gettext("Search") == "검색"


# texts without variables, as pages write them: template_texts.py reads them from a table
CONSTANT_CASES = [
    '_("Search")',
    "_('Search')",
    '_("Search") if flag else _("Sign out")',
    '_("<em>Not</em> in the catalogue & kept")',
    '_("Search")|upper ~ x',
    '_("Search") + x',
    '(_("Search"), x)|join(" / ")',
]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_texts_without_variables_read_from_the_table_give_what_underscore_gives(app, lang):
    reference = _reference(True)
    variables = {"flag": False, "x": "<b>"}
    with app.test_request_context("/"), force_locale(lang):
        for call in CONSTANT_CASES:
            source = "{{ " + call + " }}"
            assert "_texts" in app.jinja_env.compile(source, raw=True), call  # the table, not a call
            expected = reference.from_string(source).render(**variables)
            assert app.jinja_env.from_string(source).render(**variables) == expected, (call, lang)
            assert render_template_string(source, **variables) == expected, (call, lang)


def test_texts_keep_the_call_where_the_table_would_differ(app):
    for source in (
        '{{ _("100%% sure") }}',  # "%" is formatted even without variables
        '{{ _("Page %(n)s", n=1) }}',
        "{{ pages._('Search') }}",
        '{% autoescape false %}{{ _("Search") }}{% endautoescape %}',  # plain text there
    ):
        assert "_texts" not in app.jinja_env.compile(source, raw=True), source
    with app.test_request_context("/"):
        assert render_template_string('{{ _("100%% sure") }}') == "100% sure"


def test_texts_follow_force_locale_and_work_without_a_request(app):
    with app.test_request_context("/"):
        page = app.jinja_env.from_string('{{ _("Search") }}')
        with force_locale("en"):
            assert render_template_string('{{ _("Search") }}') == "Search" == page.render()
        assert render_template_string('{{ _("Search") }}') == "검색" == page.render()
    with app.app_context(), force_locale("en"):  # a job's mail: no request, no context processor
        assert app.jinja_env.from_string('{{ _("Search") }}').render() == "Search"
