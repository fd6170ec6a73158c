"""PDF documents for auditors: the signed digest, and the audit report of one application.

Drawn with reportlab and the Korean font the letters embed (workflow.notices.letters), so Korean text
extracts exactly (pdftotext).
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from workflow.notices.letters import BLUE, BOLD, GREY, REGULAR, register_fonts, wrap

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
WIDTH = PAGE_W - 2 * MARGIN
DIGEST_TITLE = {"ko": "감사 기록 일일 요약", "en": "Audit digest"}
DIGEST_NOTE = {
    "ko": "이 문서를 시스템 밖에 보관하십시오. 'flask audit verify --against 파일'로 이 요약 이전의 기록이 "
    "바뀌지 않았음을 확인할 수 있습니다.",
    "en": "Keep this document outside the system. 'flask audit verify --against FILE' proves that nothing "
    "before this digest changed.",
}


class Writer:
    """Top-down text on A4 pages with a running footer."""

    def __init__(self, title: str, footer: str):
        register_fonts()
        self.buffer = BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.pdf.setTitle(title)
        self.footer = footer
        self.page = 1
        self.y = PAGE_H - MARGIN

    def _footer(self) -> None:
        self.pdf.setFont(REGULAR, 8)
        self.pdf.setFillColor(GREY)
        self.pdf.drawString(MARGIN, 12 * mm, f"{self.footer} · {self.page}")
        self.pdf.setFillColor("black")

    def need(self, height: float) -> None:
        if self.y - height < 20 * mm:
            self._footer()
            self.pdf.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN

    def heading(self, text: str, size: float = 16) -> None:
        self.need(size * 2)
        self.pdf.setFont(BOLD, size)
        self.pdf.setFillColor(BLUE)
        self.pdf.drawString(MARGIN, self.y - size, text)
        self.pdf.setFillColor("black")
        self.y -= size * 1.8

    def paragraph(self, text: str, size: float = 9.5, font: str = REGULAR, indent: float = 0) -> None:
        for line in wrap(text, font, size, WIDTH - indent):
            self.need(size * 1.5)
            self.pdf.setFont(font, size)
            self.pdf.drawString(MARGIN + indent, self.y - size, line)
            self.y -= size * 1.45
        self.y -= size * 0.3

    def rows(self, pairs: list[tuple[str, str]], size: float = 9.5, key_width: float = 45 * mm) -> None:
        for key, value in pairs:
            lines = wrap(str(value), REGULAR, size, WIDTH - key_width) or [""]
            self.need(size * 1.5 * len(lines))
            self.pdf.setFont(BOLD, size)
            self.pdf.drawString(MARGIN, self.y - size, key)
            self.pdf.setFont(REGULAR, size)
            for line in lines:
                self.pdf.drawString(MARGIN + key_width, self.y - size, line)
                self.y -= size * 1.45
        self.y -= size * 0.5

    def finish(self) -> bytes:
        self._footer()
        self.pdf.save()
        return self.buffer.getvalue()


def digest_pdf(signed_text: str, lang: str = "ko") -> bytes:
    """The signed digest text on one page, with how to use it."""
    writer = Writer(DIGEST_TITLE[lang], DIGEST_TITLE[lang])
    writer.heading(DIGEST_TITLE[lang])
    writer.paragraph(DIGEST_NOTE[lang])
    for line in signed_text.splitlines():
        writer.paragraph(line, size=8.5)
    return writer.finish()


REPORT = {
    "ko": {
        "title": "감사 보고서",
        "application": "신청서 #{id}",
        "generated": "작성 시각",
        "program": "사업",
        "applicant": "신청인",
        "state": "현재 단계",
        "rule": "규칙 버전",
        "events": "기록 수",
        "summary": "요약",
        "timeline": "처리 이력",
        "money": "자금 원장",
        "notices": "발송한 통지와 공문",
        "chain": "기록 사슬 검증",
        "digest": "일일 요약",
        "chain_ok": "이상 없음: 모든 기록의 해시와 연결, 신청서 행이 기록과 일치합니다.",
        "no_digest": "기록된 일일 요약이 없습니다.",
        "digest_line": "{seq}번 요약({day}) · 해시 {hash}",
        "by": "처리자",
        "reason": "사유",
        "none": "없음",
        "letter": "공문",
    },
    "en": {
        "title": "Audit report",
        "application": "Application #{id}",
        "generated": "Generated",
        "program": "Program",
        "applicant": "Applicant",
        "state": "Current step",
        "rule": "Rule version",
        "events": "Events",
        "summary": "Summary",
        "timeline": "Timeline",
        "money": "Money ledger",
        "notices": "Notices and letters sent",
        "chain": "Chain verification",
        "digest": "Daily digest",
        "chain_ok": "Verified: every event's hash and link, and the application row, match the history.",
        "no_digest": "No daily digest recorded yet.",
        "digest_line": "digest {seq} ({day}) · hash {hash}",
        "by": "By",
        "reason": "Reason",
        "none": "none",
        "letter": "Letter",
    },
}


def application_report(audit, lang: str, generated: str, digest: dict | None, seoul, won) -> bytes:
    """The audit report of one application: cover, summary, timeline, money, notices, chain, digest.
    `seoul` and `won` format times and amounts (the web layer's filters)."""
    t = REPORT[lang]
    view = audit.view
    row = view.row
    title = t["application"].format(id=row.id)
    writer = Writer(f"{t['title']} — {title}", f"{t['title']} · {title}")
    writer.heading(t["title"], 20)
    writer.heading(title, 14)
    writer.rows(
        [
            (t["program"], view.program.spec.title.get(lang)),
            (
                t["applicant"],
                " · ".join(filter(None, [view.applicant["name"], view.applicant.get("organisation")])),
            ),
            (t["generated"], generated),
        ]
    )
    writer.heading(t["summary"], 13)
    writer.rows(
        [
            (t["state"], audit.state),
            (
                t["rule"],
                f"{view.program.spec.title.get(lang)} {row.program_version} · {row.definition_sha[:16]}",
            ),
            (t["events"], str(len(audit.entries))),
            (t["chain"], t["chain_ok"] if audit.fault is None else audit.fault.line(lang)),
        ]
    )
    writer.heading(t["timeline"], 13)
    for entry in audit.entries:
        writer.paragraph(
            f"#{entry.seq} {seoul(entry.at)} · {entry.action} · {entry.from_state} → {entry.to_state}",
            font=BOLD,
        )
        writer.paragraph(f"{t['by']}: {entry.actor} ({entry.roles})", indent=4 * mm)
        if entry.reason:
            writer.paragraph(f"{t['reason']}: {entry.reason}", indent=4 * mm)
        if entry.detail:
            writer.paragraph(entry.detail, indent=4 * mm)
        for change in entry.changes:
            writer.paragraph(f"{change.field}: {change.before} → {change.after}", size=8.5, indent=8 * mm)
        writer.paragraph(f"{entry.rule[0]} {entry.rule[1]} · {entry.hash[:24]}…", size=7.5, indent=4 * mm)
    writer.heading(t["money"], 13)
    if audit.ledger:
        writer.rows([(f"{seoul(e['at'])}", f"{e['kind']} {won(e['amount'])}") for e in audit.ledger])
    else:
        writer.paragraph(t["none"])
    writer.heading(t["notices"], 13)
    lines = [(seoul(n["created_at"]), f"{n['label']} · {n['status']}") for n in audit.notices]
    lines += [(seoul(letter["created_at"]), f"{t['letter']}: {letter['subject']}") for letter in view.letters]
    if lines:
        writer.rows(lines)
    else:
        writer.paragraph(t["none"])
    writer.heading(t["chain"], 13)
    writer.paragraph(t["chain_ok"] if audit.fault is None else audit.fault.line(lang))
    writer.heading(t["digest"], 13)
    if digest is None:
        writer.paragraph(t["no_digest"])
    else:
        writer.paragraph(t["digest_line"].format(seq=digest["seq"], day=digest["day"], hash=digest["hash"]))
    return writer.finish()
