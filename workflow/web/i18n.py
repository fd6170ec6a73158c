"""Language and formatting: Korean by default, English per session or per user; Seoul time; won."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup

from workflow.config import PROJECT_ROOT
from workflow.vocabulary.fields import FIELD_TYPES
from workflow.vocabulary.messages import format_krw
from workflow.web.request_state import request_globals, signed_in_user
from workflow.web.template_texts import NAME as TEXTS
from workflow.web.template_texts import ConstantTexts, LanguageTexts, ReadersTexts

LANGUAGES = ("ko", "en")
SEOUL = ZoneInfo("Asia/Seoul")
TRANSLATIONS_DIR = PROJECT_ROOT / "workflow" / "translations"

babel = Babel()


def current_lang() -> str:
    """The reader's language: this session's choice, else the user's setting, else Korean (once per request)."""
    state = request_globals()
    lang = state.get("lang")
    if lang is None:
        lang = state.lang = _choose_lang()
    return lang


def _choose_lang() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    user = signed_in_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    best = request.accept_languages.best_match(LANGUAGES) if request else None
    return "en" if best == "en" and request.accept_languages.quality("ko") == 0 else "ko"


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))  # a look-up costs a quarter of formatting `:02d`


def seoul(moment: datetime | None, with_time: bool = True) -> str:
    """A UTC moment shown in Asia/Seoul, e.g. 2026-05-04 18:00 KST (a board shows a hundred)."""
    if moment is None:
        return ""
    local = moment.astimezone(SEOUL)
    day = f"{local.year}-{_TWO_DIGITS[local.month]}-{_TWO_DIGITS[local.day]}"
    return f"{day} {_TWO_DIGITS[local.hour]}:{_TWO_DIGITS[local.minute]} KST" if with_time else day


def won(amount, lang: str | None = None) -> str:
    """An amount in the reader's language (or `lang`): 1,200,000원 / KRW 1,200,000, never wrapped."""
    if amount is None or amount == "":
        return ""
    return format_krw(int(amount), lang or current_lang()).replace(" ", "\u00a0")


def pick(text, lang: str | None = None) -> str:
    """A bilingual value from a rule file (an I18n model or a {ko, en} dict) in the reader's language."""
    lang = lang or current_lang()
    if text is None:
        return ""
    if hasattr(text, "get") and not isinstance(text, dict):
        return text.get(lang)
    if isinstance(text, dict):
        return text.get(lang) or text.get("ko") or ""
    return str(text)


def field_text(spec, value) -> str:
    """A stored value as its field type shows it on a page, in the reader's language."""
    return FIELD_TYPES[spec.type].show(value, spec, current_lang())


def widget_of(spec) -> str:
    """The form widget kind of a field's type (file fields are uploads, number fields numeric)."""
    return FIELD_TYPES[spec.type].widget


def message_text(message) -> str:
    """An engine Message (refusal or field error) in the reader's language."""
    return message.text(current_lang()) if message is not None else ""


def _date(value) -> str:
    if isinstance(value, datetime):
        return seoul(value, with_time=False)
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


_catalogues: dict[str, object] = {}
_texts: dict[str, LanguageTexts] = {}


def _locale_language() -> str | None:
    """The current locale's language (None without a request). Flask-Babel looks its request context up
    three times, through the `g` proxy; a page asks dozens of times. Its `force_locale` still switches."""
    state = request_globals()
    babel_state = state.get("_flask_babel") if state is not None else None  # Flask-Babel's, per request
    locale = getattr(babel_state, "babel_locale", None) or get_locale()
    return None if locale is None else locale.language


def _catalogue():
    """The translations of the current locale, kept per language."""
    language = _locale_language()
    if language is None:  # no request
        return get_translations()
    catalogue = _catalogues.get(language)
    if catalogue is None:
        catalogue = _catalogues[language] = get_translations()
    return catalogue


def page_texts() -> LanguageTexts:
    """The current language's texts as templates show `_("text")` (template_texts.py)."""
    language = _locale_language()
    if language is None:
        return LanguageTexts(get_translations().ugettext)
    texts = _texts.get(language)
    if texts is None:
        texts = _texts[language] = LanguageTexts(_catalogue().ugettext)
    return texts


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext` (the text in the reader's language, %-formatted with `variables`) with one
    look-up of the request's translations instead of three."""
    text = _catalogue().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A text translated when shown (labels defined at import time), through `gettext` above."""
    return LazyString(gettext, string, **variables)


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    """`_()` in templates as Jinja's newstyle gettext gives it (Markup when autoescaping, so the variables
    are escaped, and always %-formatted) in one call instead of three. Formatting a text without "%" and
    without variables gives it unchanged, so that case skips it."""
    text = _catalogue().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=current_lang, timezone_selector=lambda: "Asia/Seoul")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.add_extension(ConstantTexts)
    app.jinja_env.globals[TEXTS] = ReadersTexts(page_texts)
    # the page's language's table, once per page (outside a request, where the language may not be known
    # yet, the global table asks for it on each text)
    app.context_processor(lambda: {TEXTS: page_texts()} if has_request_context() else {})
    app.jinja_env.filters.update(seoul=seoul, won=won, pick=pick, message=message_text, day=_date)
    app.jinja_env.globals.update(
        current_lang=current_lang, LANGUAGES=LANGUAGES, field_text=field_text, widget_of=widget_of
    )
