"""The catalogue is complete: every msgid in the code has a Korean translation, the compiled .mo files
match the .po files, and no Korean text is written into a template outside the catalogue."""

from __future__ import annotations

import re
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
)
LANGUAGE_NAMES = {"한국어"}  # a language's own name is shown in that language


def _extract(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    arguments = ["pybabel", "-q", "extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l"]
    arguments += ["-k", "lazy_gettext", "-o", str(pot), str(ROOT)]
    CommandLineInterface().run(arguments)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_message_has_a_korean_translation(tmp_path):
    used = _extract(tmp_path)
    korean = {m.id if isinstance(m.id, str) else m.id[0]: m for m in _catalogue("ko") if m.id}
    missing = sorted(used - set(korean))
    assert not missing, f"run `make translations` and translate: {missing}"
    untranslated = sorted(
        k
        for k in used
        if not (korean[k].string if isinstance(korean[k].string, str) else all(korean[k].string))
        or "fuzzy" in korean[k].flags
    )
    assert not untranslated, f"no Korean text for: {untranslated}"


def test_compiled_catalogues_match_the_sources():
    for lang in ("ko", "en"):
        source = {m.id: m.string for m in _catalogue(lang) if m.id and m.string}
        with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
            compiled = {m.id: m.string for m in read_mo(handle) if m.id and m.string}
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
