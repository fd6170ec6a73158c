"""Render a notice for one recipient, in their language: subject, plain text, HTML, letter content."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, meta, select_autoescape
from sqlalchemy import select

from workflow.engine.records import ApplicationRow
from workflow.models import Award, Timer, Tranche
from workflow.notices.recipients import Recipient
from workflow.vocabulary.messages import format_krw

SEOUL = ZoneInfo("Asia/Seoul")
MONEY_VARIABLES = frozenset(
    {"award_amount", "paid_amount", "recovered_amount", "interest_amount", "recovery_total"}
)
EVERYTHING = MONEY_VARIABLES | {"due"}
LETTER_LABELS = {
    "ko": {
        "award": "지원금",
        "paid": "누적 지급액",
        "recovered": "환수 원금",
        "interest": "환수 이자",
        "tranche": "{seq}차",
        "status": {"scheduled": "예정", "due": "지급 대기", "paid": "지급 완료", "cancelled": "취소"},
        "due": "기한",
    },
    "en": {
        "award": "Award",
        "paid": "Paid so far",
        "recovered": "Recovered (principal)",
        "interest": "Recovery interest",
        "tranche": "Tranche {seq}",
        "status": {
            "scheduled": "scheduled",
            "released": "released",
            "paid": "paid",
            "cancelled": "cancelled",
        },
        "due": "Due",
    },
}


def template_names(template: str, lang: str, program_key: str = "") -> list[str]:
    """Where a notice's template is looked up: the program's own folder first (`<program key>/<name>.<lang>.txt`
    overrides the shared file of the same name for that program only), then the shared folder."""
    shared = f"{template}.{lang}.txt"
    return [f"{program_key}/{shared}", shared] if program_key else [shared]


def templates_of(outbox: dict) -> list[str]:
    """The templates an outbox row may be rendered from: its own, and its staff version if it has one."""
    staff = (outbox["payload"] or {}).get("staff_template")
    return [outbox["template"], staff] if staff else [outbox["template"]]


def template_for(outbox: dict, recipient: Recipient) -> str:
    """The recipient's template: the rule file's `staff_template` for anyone off the applicant's side
    (staff, reviewers, a program's own staff- or reviewer-like roles), else the notice's `template`."""
    staff = (outbox["payload"] or {}).get("staff_template")
    return staff if staff and recipient.audience == "staff" else outbox["template"]


class RenderError(Exception):
    """The notice cannot be rendered (a template error): retrying will not help."""


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    lang: str
    context: dict = field(default_factory=dict)
    money_rows: list[tuple[str, str]] = field(default_factory=list)
    template: str = ""  # the template it was rendered from (a letter's text has the same name)


def seoul(moment) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") + " (KST)" if moment else ""


@dataclass
class NoticeFacts:
    """What every recipient's rendering shares: read once per outbox row."""

    application: ApplicationRow
    program: object
    outbox: dict
    award: dict | None
    tranches: list[dict]
    due: object


def money_and_due(connection, application: dict, all_facts: bool, needs: frozenset) -> tuple:
    """(award, tranches, due) of an application, each read only if the templates or a letter use it."""
    award, tranches, due = None, [], None
    letter_table = all_facts
    if letter_table or needs & MONEY_VARIABLES:
        award = (
            connection.execute(
                select(Award.id, Award.amount, Award.paid, Award.recovered, Award.interest).where(
                    Award.application_id == application.id
                )
            )
            .mappings()
            .first()
        )
    if award is not None and letter_table:
        tranches = [
            dict(row)
            for row in connection.execute(
                select(Tranche.seq, Tranche.amount, Tranche.status, Tranche.paid_at)
                .where(Tranche.award_id == award["id"])
                .order_by(Tranche.seq)
            ).mappings()
        ]
    if "due" in needs:
        due = connection.execute(
            select(Timer.due_at)
            .where(
                Timer.application_id == application.id,
                Timer.state == application.state,
                Timer.kind == "deadline",
                Timer.status == "pending",
            )
            .order_by(Timer.due_at)
            .limit(1)
        ).scalar()
    return (dict(award) if award else None), tranches, due


class Renderer:
    """Jinja templates from templates/notices/: `<name>.<lang>.txt` (first line `Subject: ...`)."""

    def __init__(self, directory: str | Path, base_url: str):
        self.base_url = base_url
        self._needs: dict[str, frozenset] = {}
        self.text_env = Environment(
            loader=FileSystemLoader(str(directory)),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self.html_env = Environment(
            loader=FileSystemLoader(str(directory)),
            undefined=StrictUndefined,
            autoescape=select_autoescape(["html"]),
        )

    def needs(self, template: str, program_key: str = "") -> frozenset:
        """The variables a notice's templates use (both languages), so only those facts are read."""
        cached = f"{program_key}/{template}"
        if cached not in self._needs:
            names: set[str] = set()
            try:
                for lang in ("ko", "en"):
                    found = self.text_env.select_template(template_names(template, lang, program_key))
                    source, _, _ = self.text_env.loader.get_source(self.text_env, str(found.name))
                    names |= meta.find_undeclared_variables(self.text_env.parse(source))
            except TemplateError:
                names = set(EVERYTHING)  # rendering will report the problem
            self._needs[cached] = frozenset(names)
        return self._needs[cached]

    def context(self, facts: NoticeFacts, recipient: Recipient) -> dict:
        lang = recipient.lang
        payload = facts.outbox["payload"] or {}
        state = payload.get("to") or facts.application.state
        program = facts.program
        award = facts.award
        return {
            "program_title": program.spec.title.get(lang),
            "application_id": facts.application.id,
            "recipient_name": recipient.name,
            "state_label": program.state_label(state, lang, recipient.audience)
            if state in program.spec.states
            else state,
            "reason": payload.get("reason") or "",
            # the page this recipient uses for the application (its role's, from the role registry)
            "link": self.base_url + recipient.page.format(id=facts.application.id),
            "due": seoul(facts.due) if facts.due else "",
            "award_amount": format_krw(award["amount"], lang) if award else "",
            "paid_amount": format_krw(award["paid"], lang) if award else "",
            "recovered_amount": format_krw(award["recovered"], lang) if award else "",
            "interest_amount": format_krw(award["interest"], lang) if award else "",
            "recovery_total": format_krw(award["recovered"] + award["interest"], lang) if award else "",
            "event_time": seoul(facts.outbox["created_at"]),
            "notice": facts.outbox["notice"],
            "lang": lang,
            "data": dict(facts.application.data or {}),  # the application's fields, e.g. on a certificate
        }

    def money_rows(self, facts: NoticeFacts, lang: str) -> list[tuple[str, str]]:
        if facts.award is None or not (facts.outbox["payload"] or {}).get("statutory"):
            return []
        labels = LETTER_LABELS[lang]
        rows = [(labels["award"], format_krw(facts.award["amount"], lang))]
        for tranche in facts.tranches:
            status = labels["status"].get(tranche["status"], tranche["status"])
            rows.append(
                (
                    labels["tranche"].format(seq=tranche["seq"]),
                    f"{format_krw(tranche['amount'], lang)} · {status}",
                )
            )
        rows.append((labels["paid"], format_krw(facts.award["paid"], lang)))
        if facts.award["recovered"] or facts.award["interest"]:
            rows.append((labels["recovered"], format_krw(facts.award["recovered"], lang)))
            rows.append((labels["interest"], format_krw(facts.award["interest"], lang)))
        return rows

    def render(self, facts: NoticeFacts, recipient: Recipient) -> Rendered:
        """Subject, text and HTML for one recipient; RenderError if the template is missing or broken."""
        lang = recipient.lang
        template = template_for(facts.outbox, recipient)
        context = self.context(facts, recipient)
        try:
            names = template_names(template, lang, facts.program.key)
            source = self.text_env.select_template(names).render(**context)
            first, _, body = source.partition("\n")
            if not first.startswith("Subject:"):
                raise RenderError(f"{template}.{lang}.txt: the first line must be 'Subject: ...'")
            subject = " ".join(first[len("Subject:") :].split())
            text = body.strip() + "\n"
            html = self.html_env.get_template("_email.html").render(
                subject=subject, paragraphs=_paragraphs(text, context["link"]), **context
            )
        except TemplateError as error:
            raise RenderError(f"template {template}.{lang}: {type(error).__name__}: {error}") from None
        return Rendered(subject, text, html, lang, context, self.money_rows(facts, lang), template)


def _paragraphs(text: str, link: str) -> list[tuple[str, bool, str]]:
    """Each line as (before, has_link, after) so the HTML can turn the link into an anchor."""
    rows = []
    for line in text.split("\n"):
        if line.strip():
            before, found, after = line.partition(link)
            rows.append((before, bool(found), after))
    return rows
