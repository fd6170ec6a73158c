"""The board page's rows and links as the page shows them: every text of a row worked out in Python once
per page (labels translated once, one link built and reused), and the tabs', column headers' and pager's
links from one address of the page, so the template only places them. A board page shows 50 rows of ten
cells; worked out cell by cell in Jinja (a translation lookup, a URL build and a filter call each) they
cost more than the query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

from markupsafe import Markup, escape

from workflow.services.board_columns import state_kinds
from workflow.web.i18n import current_lang, pick, seoul, won
from workflow.web.i18n import gettext as _
from workflow.web.urls import fixed_url

BADGES = {
    "stopped": "danger",
    "done": "muted",
    "applicant": "warn",
    "review": "review",
    "decision": "choose",
    "staff": "staff",
}
_TO_ESCAPE = re.compile("[&<>\"']")  # what markupsafe's escape replaces
_SENTINEL = 2_147_483_647  # the largest id the URL converter accepts: it cannot appear elsewhere in a path


class BoardRow(NamedTuple):
    """One row as the page shows it. Every text is HTML already (`board_rows` escapes what users, rule
    files and translations wrote), so `rows_html` only places them. A tuple: 50 a page, built fast."""

    id: int
    href: str
    tick_label: str
    title: str  # "" without one
    applicant: str
    organisation: str
    state_name: str
    badge: str
    amount: str
    score: str  # "" without reviews
    reviews: str
    deadline: str  # "" without an open deadline
    overdue: str  # the "overdue" badge's text, "" when not overdue
    days_left: str
    updated: str


def board_rows(rows: list[dict], program, detail_endpoint: str, now: datetime) -> list[BoardRow]:
    lang = current_lang()
    # one URL built, the id put in its place for every row (building it per row costs a route lookup)
    head, _sep, tail = fixed_url(detail_endpoint, application_id=_SENTINEL).partition(str(_SENTINEL))
    head, tail = _html(head), _html(tail)
    # the page's own texts escaped once (and split around their number, put in its place the same way);
    # numbers, dates and amounts are digits and our own words
    tick_head, _sep, tick_tail = _html(_("Tick #%(id)s", id=_SENTINEL)).partition(str(_SENTINEL))
    reviews_head, _sep, reviews_tail = _html(_("%(n)s reviews", n=_SENTINEL)).partition(str(_SENTINEL))
    overdue = _html(_("Overdue"))
    names, badges = _state_look(program, lang)
    shown = []
    for r in rows:
        deadline, score = r["deadline"], r["score"]
        shown.append(
            BoardRow._make(  # positional: a 15-field NamedTuple built from keywords costs as much as the row
                (
                    r["id"],
                    f"{head}{r['id']}{tail}",
                    f"{tick_head}{r['id']}{tick_tail}",
                    _html(r["title"]) if r["title"] else "",
                    _html(r["applicant_name"]),
                    _html(r["organisation"]) if r["organisation"] else "",
                    names.get(r["state"]) or _html(r["state"]),
                    badges.get(r["state"], ""),
                    won(r["amount"], lang),
                    f"{score:.1f}" if score is not None else "",
                    f"{reviews_head}{r['reviews']}{reviews_tail}",
                    seoul(deadline, False) if deadline else "",
                    overdue if deadline and deadline < now else "",
                    f"D-{(deadline - now).days}" if deadline and deadline >= now else "",
                    seoul(r["updated_at"]),
                )
            )
        )
    return shown


def _html(text) -> str:
    """`text` escaped for HTML, as a plain str (formatting a Markup would escape its arguments again);
    most names and titles have nothing to escape, and finding that out costs a third of escaping."""
    if type(text) is str and not _TO_ESCAPE.search(text):
        return text
    return str(escape(text))


def _quoted(value) -> str | None:
    if value is None or isinstance(value, int):  # a page number or an id needs no quoting
        return None if value is None else str(value)
    return _quoted_text(value)


@lru_cache(maxsize=4096)
def _quoted_text(text: str) -> str:  # a state, an order, a search: the same few on every link of a page
    return quote(text, safe="")


def rows_html(rows: list[BoardRow], board, tick: bool, ranking: bool) -> Markup:
    """The table's rows, written here rather than in the template: 50 rows of ten cells cost Jinja about
    40 % of the page's instructions (bench/web_instructions.py). The rows' texts are HTML already; `tick`
    adds the bulk bar's checkbox, `ranking` the rank in a selection step."""
    ranked = ranking and board.sort == "-score"
    first = (board.page - 1) * board.per_page
    html = []
    for number, r in enumerate(rows, start=1):
        pick = (
            f'<td class="pick"><input type="checkbox" name="application_id" value="{r.id}" form="bulk-form"'
            f' aria-label="{r.tick_label}"></td>'
            if tick
            else ""
        )
        rank = f'<td class="num">{first + number if ranked and r.score else "—"}</td>' if ranking else ""
        organisation = f' <span class="meta">· {r.organisation}</span>' if r.organisation else ""
        score = f'{r.score} <span class="meta">({r.reviews})</span>' if r.score else "—"
        if not r.deadline:
            deadline = "—"
        elif r.overdue:
            deadline = f'{r.deadline} <span class="badge danger">{r.overdue}</span>'
        else:
            deadline = f'{r.deadline} <span class="meta">{r.days_left}</span>'
        html.append(
            f'<tr class="row-link">{pick}{rank}<td><a class="row-target" href="{r.href}">#{r.id}'
            f'<span class="sr-only"> {r.title}</span></a></td><td>{r.title or "—"}</td>'
            f'<td>{r.applicant}{organisation}</td><td><span class="badge {r.badge}">{r.state_name}</span></td>'
            f'<td class="num">{r.amount}</td><td class="num">{score}</td><td>{deadline}</td><td>{r.updated}</td></tr>\n'
        )
    return Markup("".join(html))


_looks: dict[tuple[str, str, str], tuple[dict[str, str], dict[str, str]]] = {}


def _state_look(program, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """state → its name for staff (escaped for HTML), and state → its badge's class: once per program
    version and language (a version's file never changes; working the kinds out walks every transition)."""
    key = (program.key, program.sha256, lang)
    if key not in _looks:
        names = {state: _html(program.state_label(state, lang, "staff")) for state in program.spec.states}
        badges = {state: BADGES[kind] for state, kind in state_kinds(program).items()}
        _looks[key] = (names, badges)
    return _looks[key]


@dataclass(frozen=True, slots=True)
class SortHeader:
    label: str
    href: str
    css: str
    aria_sort: str  # "" when the board is not in this column's order
    arrow: str


@dataclass(frozen=True, slots=True)
class StateTab:
    href: str
    label: str
    count: int
    current: bool


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    href: str
    current: bool
    gap_before: bool  # pages left out between this one and the one before ("…")


class BoardLinks:
    """The page's own address with other query arguments: the state tabs, the column headers, the pager
    and the exports, built from one URL of the page (a route build each would cost more)."""

    def __init__(self, endpoint: str, program, board, state: str | None, q: str):
        self._key = program.key
        self._path = fixed_url(endpoint, key=program.key)
        self._board = board
        # quoted once: a page has some twenty links, each the same three arguments and one change
        self._base = {k: _quoted(v) for k, v in {"state": state, "q": q or None, "sort": board.sort}.items()}

    def to(self, **changes) -> str:
        return self.with_path(self._path, **changes)

    def with_path(self, path: str, **changes) -> str:
        """`path` with this page's arguments and `changes` (None drops one), as `urlencode` writes them."""
        params = {**self._base, **{k: _quoted(v) for k, v in changes.items()}}
        query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
        return f"{path}?{query}" if query else path

    def tab(self, state: str | None) -> str:
        return self.to(state=state, sort=None)

    def tabs(self, program, state: str | None) -> list[StateTab]:
        """ "All" and every step holding applications, in the file's order: each a link to the board of it."""
        counts, lang = self._board.counts, current_lang()
        tabs = [StateTab(self.tab(None), _("All"), sum(counts.values()), not state)]
        for name in program.spec.states:
            if counts.get(name):
                label = program.state_label(name, lang, "staff")
                tabs.append(StateTab(self.tab(name), label, counts[name], state == name))
        return tabs

    def export(self, endpoint: str, fmt: str) -> str:
        return self.with_path(fixed_url(endpoint, key=self._key, fmt=fmt))

    def sort_header(self, key: str, label: str, css: str = "") -> SortHeader:
        sort = self._board.sort
        current, descending = sort.lstrip("-") == key, sort.startswith("-")
        return SortHeader(
            label=label,
            href=self.to(sort=key if current and descending else f"-{key}"),
            css=css,
            aria_sort=("descending" if descending else "ascending") if current else "",
            arrow=(" ▼" if descending else " ▲") if current else "",
        )

    def headers(self, program) -> list[SortHeader]:
        """The board's columns, each a link to the board in its order (again: the other way round)."""
        lang = current_lang()
        title, amount = program.key_field("title"), program.key_field("amount")
        return [
            self.sort_header("number", _("No.")),
            self.sort_header("title", pick(title.label, lang) if title else _("Name")),
            self.sort_header("applicant", _("Applicant")),
            self.sort_header("state", _("Current step")),
            self.sort_header("amount", pick(amount.label, lang) if amount else _("Amount"), "num"),
            self.sort_header("score", _("Average score"), "num"),
            self.sort_header("deadline", _("Deadline")),
            self.sort_header("updated", _("Last change")),
        ]

    def pages(self) -> list[PageLink]:
        """The first and last page and two either side of this one; "next" pages by key in number order."""
        page, last = self._board.page, self._board.pages
        shown = sorted({n for n in (1, page - 2, page - 1, page, page + 1, page + 2, last) if 1 <= n <= last})
        links, before = [], 0
        for n in shown:
            links.append(PageLink(n, self.to(page=n), n == page, n > before + 1))
            before = n
        return links

    def previous(self) -> str | None:
        return self.to(page=self._board.page - 1) if self._board.page > 1 else None

    def next(self) -> str | None:
        board = self._board
        if board.page >= board.pages:
            return None
        by_key = board.sort.lstrip("-") == "number" and board.rows
        return self.to(page=board.page + 1, after=board.rows[-1]["id"] if by_key else None)
