"""The board's rows as the page shows them: every text of a row worked out in Python once per page
(labels translated once, one link built and reused), so the template only places them. A board page
shows 50 rows of ten cells; worked out cell by cell in Jinja (a translation lookup, a URL build and a
filter call each) they cost more than the query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from workflow.services.board_columns import state_kinds
from workflow.web.i18n import current_lang, seoul, won

BADGES = {
    "stopped": "danger",
    "done": "muted",
    "applicant": "warn",
    "review": "review",
    "decision": "choose",
    "staff": "staff",
}
_SENTINEL = 2_147_483_647  # the largest id the URL converter accepts: it cannot appear elsewhere in a path


@dataclass(frozen=True, slots=True)
class BoardRow:
    id: int
    href: str
    tick_label: str
    title: str
    applicant: str
    organisation: str
    state_name: str
    badge: str
    amount: str
    score: str  # "" without reviews
    reviews: str
    deadline: str  # "" without an open deadline
    overdue: bool
    days_left: str
    updated: str


def board_rows(rows: list[dict], program, detail_endpoint: str, now: datetime) -> list[BoardRow]:
    lang = current_lang()
    # one URL built, the id put in its place for every row (building it per row costs a route lookup)
    head, _sep, tail = url_for(detail_endpoint, application_id=_SENTINEL).partition(str(_SENTINEL))
    tick, reviews = _("Tick #%(id)s"), _("%(n)s reviews")
    names = {state: program.state_label(state, lang, "staff") for state in program.spec.states}
    badges = {state: BADGES[kind] for state, kind in state_kinds(program).items()}
    shown = []
    for r in rows:
        deadline, score = r["deadline"], r["score"]
        shown.append(
            BoardRow(
                id=r["id"],
                href=f"{head}{r['id']}{tail}",
                tick_label=tick % {"id": r["id"]},
                title=r["title"] or "",
                applicant=r["applicant_name"],
                organisation=r["organisation"] or "",
                state_name=names.get(r["state"], r["state"]),
                badge=badges.get(r["state"], ""),
                amount=won(r["amount"], lang),
                score=f"{score:.1f}" if score is not None else "",
                reviews=reviews % {"n": r["reviews"]},
                deadline=seoul(deadline, False) if deadline else "",
                overdue=bool(deadline and deadline < now),
                days_left=f"D-{(deadline - now).days}" if deadline and deadline >= now else "",
                updated=seoul(r["updated_at"]),
            )
        )
    return shown
