"""`{{ _("Some text") }}` in a page template, read from a table of the language's texts.

Calling `_()` from a template costs a Jinja call, a translation look-up and a Markup each time, some
thirty times a page (about 5 % of the status page's instructions). A text without variables is the same
for every reader of one language, so this extension rewrites `_("literal")` (one string, no "%", in an
autoescaped template) to `_texts["literal"]` when the template is compiled: a dict read. `_texts` is
the reader's language's table (a context processor gives it once per page); a template rendered without
Flask's context (a mail, an imported macro) reads the global table, which asks for the language on each
text. Either gives exactly what `_()` gives: the translation as Markup. Templates keep `_()` in their
source, so text extraction (pybabel) sees every text."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

NAME = "_texts"


class LanguageTexts(dict):
    """msgid → the translation as Markup, looked up on first use."""

    def __init__(self, translate: Callable[[str], str]):
        super().__init__()
        self._translate = translate

    def __missing__(self, msgid: str) -> Markup:
        text = self[msgid] = Markup(self._translate(msgid))
        return text


class ReadersTexts:
    """The global table: the current reader's language's, asked for on every text."""

    def __init__(self, current: Callable[[], LanguageTexts]):
        self._current = current

    def __getitem__(self, msgid: str) -> Markup:
        return self._current()[msgid]


class ConstantTexts(Extension):
    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tokens = list(stream)
        if not self._autoescaped(stream.name) or _switches_autoescape(tokens):
            yield from tokens  # `_()` gives plain text where nothing is escaped, not Markup
            return
        at = 0
        while at < len(tokens):
            if _constant_text_call(tokens, at):
                name, _open, text, _close = tokens[at : at + 4]
                yield Token(name.lineno, "name", NAME)
                yield Token(name.lineno, "lbracket", "[")
                yield text
                yield Token(name.lineno, "rbracket", "]")
                at += 4
            else:
                yield tokens[at]
                at += 1

    def _autoescaped(self, template_name: str | None) -> bool:
        autoescape = self.environment.autoescape
        return bool(autoescape(template_name) if callable(autoescape) else autoescape)


def _switches_autoescape(tokens: list[Token]) -> bool:
    """The template has an `{% autoescape %}` block (none of ours has)."""
    return any(
        a.type == "block_begin" and b.type == "name" and b.value == "autoescape"
        for a, b in zip(tokens, tokens[1:], strict=False)
    )


def _constant_text_call(tokens: list[Token], at: int) -> bool:
    """`_ ( "text" )` starts at `at`, not as an attribute (`x._(...)`), and "%" is not in the text (`_()`
    %-formats such a text even without variables)."""
    window = tokens[at : at + 4]
    return (
        len(window) == 4
        and [t.type for t in window] == ["name", "lparen", "string", "rparen"]
        and window[0].value == "_"
        and "%" not in window[2].value
        and (at == 0 or tokens[at - 1].type != "dot")
    )
