"""The catalogue is complete: every msgid in the code has a Korean translation, the compiled .mo files
match the .po files, and no Korean text is written into a template or a web/forms Python module outside
the catalogue (workflow/vocabulary/messages.py, the engine's own bilingual catalogue, is not scanned)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "workflow" / "translations"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TAG = re.compile(r"<[^>]*>")
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
OWN_TEMPLATES = (
    "base.html",
    "home.html",
    "accessibility.html",
    "auth",
    "errors",
    "macros",
    "applicant",
    "review",
    "officer",
    "audit",
    "admin",
    "finance",
    "notices_ui",
)
PYTHON_PACKAGES = ("workflow/web", "forms")
# f-string pieces are tokens of their own from Python 3.12 on (t-strings from 3.14)
STRING_TOKENS = {tokenize.STRING} | {
    getattr(tokenize, name) for name in ("FSTRING_MIDDLE", "TSTRING_MIDDLE") if hasattr(tokenize, name)
}
LANGUAGE_NAMES = {"한국어"}  # a language's own name is shown in that language


def _key(message) -> tuple:
    """(context, msgid) — the same English msgid may carry different Korean in another context."""
    context = message.context.decode() if isinstance(message.context, bytes) else message.context  # read_mo
    return context, message.id if isinstance(message.id, str) else message.id[0]


def _translated(string) -> tuple | None:
    strings = (string,) if isinstance(string, str) else tuple(string)
    return strings if strings and all(strings) else None


def _extract(tmp_path) -> set[tuple]:
    pot = tmp_path / "messages.pot"
    arguments = ["pybabel", "-q", "extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l"]
    arguments += ["-k", "lazy_gettext", "-o", str(pot), str(ROOT)]
    CommandLineInterface().run(arguments)
    with pot.open("rb") as handle:
        return {_key(m) for m in read_po(handle) if m.id}


def _catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_message_has_a_korean_translation(tmp_path):
    used = _extract(tmp_path)
    korean = {_key(m): m for m in _catalogue("ko") if m.id}
    missing = sorted(used - set(korean), key=str)
    assert not missing, f"run `make translations` and translate: {missing}"
    untranslated = sorted(
        (k for k in used if not _translated(korean[k].string) or "fuzzy" in korean[k].flags), key=str
    )
    assert not untranslated, f"no Korean text for: {untranslated}"


def _translations(messages) -> dict:
    """{(context, msgid): strings} of the translated messages; a compiled plural without a translation
    falls back to its msgids, which counts as untranslated."""
    entries = {}
    for m in messages:
        strings = _translated(m.string) if m.id else None
        if strings and strings != ((m.id,) if isinstance(m.id, str) else tuple(m.id)):
            entries[_key(m)] = strings
    return entries


def test_compiled_catalogues_match_the_sources():
    for lang in ("ko", "en"):
        source = _translations(_catalogue(lang))
        with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
            compiled = _translations(read_mo(handle))
        assert compiled == source, f"{lang}: run `make translations` to compile the .mo file"


def test_no_korean_text_outside_the_catalogue_in_templates():
    offenders = []
    for entry in OWN_TEMPLATES:
        path = ROOT / "templates" / entry
        for file in [path] if path.is_file() else sorted(path.rglob("*.html")):
            text = TAG.sub(" ", JINJA.sub(" ", file.read_text(encoding="utf-8")))
            for word in re.findall(r"\S*[\uac00-\ud7a3]\S*", text):
                if word not in LANGUAGE_NAMES:
                    offenders.append(f"{file.relative_to(ROOT)}: {word}")
    assert not offenders, offenders


def _docstring_starts(source: str) -> set[tuple[int, int]]:
    """Where each module, class and function docstring starts (line, column)."""
    starts = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                starts.add((first.lineno, first.col_offset))
    return starts


def korean_literals(source: str) -> list[tuple[int, str]]:
    """(line, token) of every string literal holding Hangul; comments and docstrings are not literals."""
    docstrings = _docstring_starts(source)
    return [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type in STRING_TOKENS and token.start not in docstrings and HANGUL.search(token.string)
    ]


def test_the_scan_finds_literals_but_not_comments_or_docstrings():
    source = '''"""모듈 설명"""
# 주석
LABEL = "재무"


class Page:
    """클래스 설명"""

    def title(self, n):
        """함수 설명"""
        return f"{n}건" + (
            "없음"
        )
'''
    assert [line for line, _ in korean_literals(source)] == [3, 11, 12]


def test_no_korean_text_outside_the_catalogue_in_python():
    offenders = []
    for package in PYTHON_PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            for line, token in korean_literals(file.read_text(encoding="utf-8")):
                offenders.append(f"{file.relative_to(ROOT)}:{line}: {token}")
    assert not offenders, f"use _() / _l() with an English msgid: {offenders}"
