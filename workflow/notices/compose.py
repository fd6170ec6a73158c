"""Turn a rendered notice into the things that leave the system: a PDF letter and an e-mail."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from jinja2 import TemplateNotFound

from workflow.notices.letters import LetterContent, render_letter
from workflow.notices.mail import build_message
from workflow.notices.render import template_names

SEOUL = ZoneInfo("Asia/Seoul")
ADDRESSEE = {"ko": "{who} 귀하", "en": "{who}"}


def letter_date(moment, lang: str) -> str:
    local = moment.astimezone(SEOUL)
    if lang == "en":
        return local.strftime("%d %B %Y").lstrip("0")
    return f"{local.year}. {local.month}. {local.day}."


def document_no(service, facts, recipient) -> str:
    year = facts.outbox["created_at"].astimezone(SEOUL).year
    return f"{service.settings.document_prefix}-{year}-{facts.outbox['id']:06d}-{recipient.user_id}"


def letter_paragraphs(service, facts, message) -> list[str]:
    """templates/letters/[<program key>/]<template>.<lang>.txt if the notice has a formal letter text, else the
    e-mail text."""
    names = template_names(message.template or facts.outbox["template"], message.lang, facts.program.key)
    try:
        text = service.letter_env.select_template(names).render(**message.context)
    except TemplateNotFound:
        text = message.text
    return [line for line in text.strip().split("\n") if line.strip()]


def letter(service, facts, recipient, message) -> dict:
    """The row for the `letters` table (content included)."""
    settings, lang = service.settings, message.lang
    if lang == "en":
        who = ", ".join(part for part in (recipient.name, recipient.organisation) if part)
    else:
        who = " ".join(part for part in (recipient.organisation, recipient.name) if part)
    number = document_no(service, facts, recipient)
    content = render_letter(
        LetterContent(
            lang=lang,
            agency=settings.agency[lang],
            agency_address=settings.agency_address[lang],
            document_no=number,
            date_text=letter_date(facts.outbox["created_at"], lang),
            recipient=ADDRESSEE[lang].format(who=who),
            subject=message.subject,
            paragraphs=letter_paragraphs(service, facts, message),
            signatory=settings.signatory[lang],
            program_title=message.context["program_title"],
            money_rows=message.money_rows,
        )
    )
    return {
        "outbox_id": facts.outbox["id"],
        "user_id": recipient.user_id,
        "application_id": facts.application.id,
        "document_no": number,
        "lang": lang,
        "subject": message.subject[:300],
        "filename": f"letter-{facts.application.id}-{facts.outbox['id']}-{recipient.user_id}.pdf",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content": content,
    }


def email(service, item, msg_id: str):
    """The MIME message for one delivery; the Date is the moment of this attempt."""
    return build_message(
        service.settings,
        to_name=item.name,
        to_address=item.address,
        subject=item.subject,
        text=item.text,
        html=item.html,
        msg_id=msg_id,
        sent_at=service.clock(),
        attachment=item.attachment,
    )
