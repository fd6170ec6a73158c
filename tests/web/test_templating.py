"""The pages' Jinja environment renders what Flask's own renders, with each template's globals a plain
dict and dicts' items read without a failed attribute look-up; the helpers the pages call dozens of times give what the slower forms they replace give."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, render_template_string
from flask_wtf.csrf import generate_csrf
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import DictLoader
from markupsafe import escape

from tests.web.conftest import make_app
from workflow.web.board_page import _html
from workflow.web.i18n import SEOUL, seoul
from workflow.web.templating import PageEnvironment

TEMPLATES = {
    "macros.html": '{% macro shout(x) %}<b>{{ x|upper }}</b>{% endmacro %}{% set hidden = "module" %}',
    "part.html": "<i>{{ who }} {{ greeting }}</i>",
    "base.html": "<main>{% block body %}{% endblock %}</main>{{ greeting }}",
    "page.html": (
        '{% extends "base.html" %}{% from "macros.html" import shout %}{% import "macros.html" as m %}'
        '{% block body %}{{ shout(who) }}{{ m.hidden }}{% include "part.html" %}'
        "{% for i in range(2) %}{{ loop.index }}{{ cycler('a', 'b').next() }}{% endfor %}"
        "{{ d.name }}{{ d.keys()|list }}{{ d['missing']|default('none') }}{{ d.missing is defined }}"
        "{{ d.items is callable }}{{ d.get('name') }}{{ o.name }}{{ v.imag }}{{ v.nothing is defined }}"
        "{% endblock %}"
    ),
}


def _stock_and_ours() -> list[Flask]:
    apps = []
    for environment in (None, PageEnvironment):
        app = Flask(__name__)
        if environment is not None:
            app.jinja_environment = environment
        app.jinja_loader = DictLoader(TEMPLATES)
        app.jinja_env.globals["greeting"] = "hello"
        apps.append(app)
    return apps


def test_pages_render_as_with_flasks_own_environment():
    rendered = []
    for app in _stock_and_ours():
        with app.test_request_context("/"):
            page = app.jinja_env.get_template("page.html").render(
                who="<kim>", d={"name": "x", "items": "a key"}, o=OrderedDict(name="y"), v=3
            )
            overlay = app.jinja_env.from_string("{{ greeting }}", globals={"greeting": "own"}).render()
        rendered.append((page, overlay))
    assert rendered[0] == rendered[1]
    page, overlay = rendered[1]
    assert "<b>&lt;KIM&gt;</b>" in page and "<i>&lt;kim&gt; hello</i>" in page and overlay == "own"
    assert (
        "x[&#39;name&#39;, &#39;items&#39;]noneFalseTruexy0False" in page
    )  # a dict's methods before its keys, as Jinja


def test_a_templates_globals_are_a_dict_that_never_changes_the_environments():
    _, app = _stock_and_ours()
    template = app.jinja_env.get_template("part.html")
    assert type(template.globals) is dict and template.globals["greeting"] == "hello"
    template.globals["greeting"] = "changed"
    assert app.jinja_env.globals["greeting"] == "hello"


def test_the_app_renders_its_pages_with_it(sqlite_engine, clock, tmp_path):
    app = make_app(sqlite_engine, clock, tmp_path)
    assert isinstance(app.jinja_env, PageEnvironment)


@pytest.fixture()
def app(sqlite_engine, clock, tmp_path):
    return make_app(sqlite_engine, clock, tmp_path)


def test_a_page_has_one_csrf_token_and_it_is_flask_wtfs(app):
    with app.test_request_context("/"):
        first, second = render_template_string("{{ csrf_token() }} {{ csrf_token() }}").split()
        assert first == second == generate_csrf()


def test_seoul_times_read_as_strftime_writes_them():
    moment = datetime(2026, 5, 4, 9, 5, tzinfo=UTC)
    assert seoul(moment) == "2026-05-04 18:05 KST" and seoul(moment, with_time=False) == "2026-05-04"
    assert seoul(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == "2027-01-01 00:00 KST"  # the day after, there
    assert seoul(None) == ""


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)))
def test_seoul_agrees_with_strftime_for_any_moment(naive):
    moment = naive.replace(tzinfo=UTC) + timedelta(0)
    local = moment.astimezone(SEOUL)
    assert seoul(moment) == local.strftime("%Y-%m-%d %H:%M KST")
    assert seoul(moment, with_time=False) == local.strftime("%Y-%m-%d")


@given(st.one_of(st.text(), st.integers(), st.none()))
def test_board_texts_are_escaped_as_markupsafe_escapes_them(value):
    assert _html(value) == str(escape(value))
