"""Official PDF letters drawn with reportlab, with a Korean TrueType font embedded (subset).

reportlab's built-in Korean CID fonts are not embedded (a reader substitutes whatever it has), so
the letter uses NanumSquare (OFL, shipped in fonts/ with its licence): every glyph used is embedded
and the text extracts exactly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR, BOLD = "NanumSquare", "NanumSquare-Bold"
_fonts_lock = threading.Lock()

LABELS = {
    "ko": {"doc": "문서번호", "date": "시행일자", "to": "수신", "subject": "제목", "page": "{n}/{total}"},
    "en": {
        "doc": "Ref. No.",
        "date": "Date",
        "to": "To",
        "subject": "Subject",
        "page": "Page {n} of {total}",
    },
}
PAGE_W, PAGE_H = A4
MARGIN = 22 * mm
BLUE = HexColor("#0b4f8a")
GREY = HexColor("#5f6b7a")


def register_fonts() -> None:
    """Register the embedded Korean fonts once per process."""
    with _fonts_lock:
        if REGULAR in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "NanumSquareR.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "NanumSquareB.ttf")))


@dataclass
class LetterContent:
    lang: str
    agency: str
    agency_address: str
    document_no: str
    date_text: str
    recipient: str
    subject: str
    paragraphs: list[str]
    signatory: str
    program_title: str = ""
    money_rows: list[tuple[str, str]] = field(default_factory=list)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break at spaces; a word wider than the line (long Korean runs, URLs) breaks between characters."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = ""
        for word in raw.split(" "):
            candidate = f"{line} {word}" if line else word
            if pdfmetrics.stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if pdfmetrics.stringWidth(line + char, font, size) > width and line:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


class _NumberedCanvas(canvas.Canvas):
    """Keeps each page until the end so every page can say 'n / total'."""

    def __init__(self, *args, page_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._page_label = page_label

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(REGULAR, 8.5)
            self.setFillColor(GREY)
            self.drawCentredString(PAGE_W / 2, 12 * mm, self._page_label.format(n=number, total=total))
            super().showPage()
        super().save()


class _Writer:
    def __init__(self, pdf: _NumberedCanvas, content: LetterContent):
        self.pdf = pdf
        self.content = content
        self.y = PAGE_H - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < 24 * mm:
            self.pdf.showPage()
            self.y = PAGE_H - MARGIN

    def lines(self, text: str, font=REGULAR, size=10.5, indent=0.0, leading=1.55) -> None:
        for line in wrap(text, font, size, PAGE_W - 2 * MARGIN - indent):
            self.need(size * leading)
            self.pdf.setFont(font, size)
            self.pdf.drawString(MARGIN + indent, self.y - size, line)
            self.y -= size * leading

    def header(self) -> None:
        c, pdf = self.content, self.pdf
        pdf.setFillColor(BLUE)
        pdf.setFont(BOLD, 17)
        pdf.drawCentredString(PAGE_W / 2, self.y - 17, c.agency)
        self.y -= 26
        pdf.setFont(REGULAR, 8.5)
        pdf.setFillColor(GREY)
        pdf.drawCentredString(PAGE_W / 2, self.y - 8.5, c.agency_address)
        self.y -= 16
        pdf.setStrokeColor(BLUE)
        pdf.setLineWidth(1.4)
        pdf.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y -= 14
        pdf.setFillColor(HexColor("#000000"))

    def field(self, label: str, value: str) -> None:
        self.pdf.setFont(BOLD, 10.5)
        self.pdf.drawString(MARGIN, self.y - 10.5, label)
        before = self.y
        self.lines(value, indent=24 * mm)
        self.y = min(self.y, before - 10.5 * 1.55)

    def table(self, rows: list[tuple[str, str]]) -> None:
        row_h, col = 8 * mm, 60 * mm
        self.need(row_h * len(rows) + 6 * mm)
        self.y -= 3 * mm
        pdf, right = self.pdf, PAGE_W - MARGIN
        pdf.setLineWidth(0.6)
        pdf.setStrokeColor(GREY)
        for index, (label, value) in enumerate(rows):
            top = self.y
            if index == 0:
                pdf.setFillColor(HexColor("#eef3f8"))
                pdf.rect(MARGIN, top - row_h, right - MARGIN, row_h, stroke=0, fill=1)
                pdf.setFillColor(HexColor("#000000"))
            pdf.line(MARGIN, top, right, top)
            pdf.setFont(BOLD, 10)
            pdf.drawString(MARGIN + 3 * mm, top - row_h + 2.8 * mm, label)
            pdf.setFont(REGULAR, 10)
            pdf.drawRightString(right - 3 * mm, top - row_h + 2.8 * mm, value)
            self.y -= row_h
        pdf.line(MARGIN, self.y, right, self.y)
        pdf.line(MARGIN + col, self.y, MARGIN + col, self.y + row_h * len(rows))
        self.y -= 5 * mm

    def signature(self) -> None:
        self.need(30 * mm)
        self.y -= 10 * mm
        self.pdf.setFont(BOLD, 14)
        c = self.content
        signed = f"{c.signatory}, {c.agency}" if c.lang == "en" else f"{c.agency} {c.signatory}"
        self.pdf.drawCentredString(PAGE_W / 2, self.y - 14, signed)
        self.y -= 20


def render_letter(content: LetterContent) -> bytes:
    """The letter as PDF bytes: header, document number, date, recipient, subject, body, amounts, signature."""
    register_fonts()
    labels = LABELS[content.lang]
    buffer = BytesIO()
    pdf = _NumberedCanvas(
        buffer, pagesize=A4, page_label=labels["page"], invariant=1, initialFontName=REGULAR
    )
    pdf.setTitle(content.subject)
    pdf.setAuthor(content.agency)
    pdf.setSubject(content.document_no)
    writer = _Writer(pdf, content)
    writer.header()
    writer.field(labels["doc"], content.document_no)
    writer.field(labels["date"], content.date_text)
    writer.field(labels["to"], content.recipient)
    writer.field(labels["subject"], content.subject)
    writer.y -= 4 * mm
    for paragraph in content.paragraphs:
        writer.lines(paragraph)
        writer.y -= 2
    if content.money_rows:
        writer.table(content.money_rows)
    writer.signature()
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
