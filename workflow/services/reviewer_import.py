"""Reviewers imported from a spreadsheet: every row checked first (a preview with each row's problems), then
all created in one transaction — or none — each as an invited account (`invitations.create_invited`).

Columns (English or Korean headers, any order): name/이름, email/이메일, organisation/소속, programs/사업
(program keys or titles separated by ";" or ","; empty: a reviewer for every program), language/언어 (ko or
en; empty: ko). A cell that could start a spreadsheet formula, or holds control characters, is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from workflow.models import User
from workflow.services.admin import AdminError, person
from workflow.services.invitations import Invitee, create_invited
from workflow.vocabulary.fields import CONTROL, EMAIL

COLUMNS = {
    "name": ("name", "이름", "성명"),
    "email": ("email", "e-mail", "이메일", "전자우편"),
    "organisation": ("organisation", "organization", "소속", "기관"),
    "programs": ("programs", "program", "사업", "사업명"),
    "language": ("language", "언어"),
}
LANGUAGES = {"": "ko", "ko": "ko", "한국어": "ko", "korean": "ko", "en": "en", "english": "en", "영어": "en"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIMITS = {"name": 200, "email": 254, "organisation": 200, "programs": 1000, "language": 20}


class ImportRefused(Exception):
    """The file as a whole cannot be read (`code`), or its rows have problems (`rows`)."""

    def __init__(self, code: str, rows: list | None = None):
        super().__init__(code)
        self.code = code
        self.rows = rows or []


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    organisation: str
    programs: list[str]  # keys; empty: every program
    language: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, the value it is about)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "programs": self.programs,
            "language": self.language,
        }


def _columns(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    found = {}
    for column, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[column] = index
                break
    missing = {"name", "email"} - set(found)
    if missing:
        raise ImportRefused("no_header")
    return found


def _program_lookup(programs, lang_titles=("ko", "en")) -> dict[str, tuple[str, ...]]:
    """A program's key or title (lowercase) → the programs it names: a title two programs share names
    both, and the row is refused rather than granted on either (a key always names its own program)."""
    titles: dict[str, list[str]] = {}
    for key, program in programs.items():
        for lang in lang_titles:
            named = titles.setdefault(program.spec.title.get(lang).strip().lower(), [])
            if key not in named:
                named.append(key)
    return {**{title: tuple(keys) for title, keys in titles.items()}, **{k.lower(): (k,) for k in programs}}


def _checked(row: ImportRow, raw: dict[str, str], lookup: dict[str, tuple[str, ...]]) -> None:
    for column, value in raw.items():
        if CONTROL.search(value):
            row.problems.append(("control", column))
        elif value.startswith(FORMULA_START):
            row.problems.append(("formula", column))
        elif len(value) > LIMITS[column]:
            row.problems.append(("too_long", column))
    if not row.name:
        row.problems.append(("no_name", ""))
    if not EMAIL.match(row.email) or len(row.email) > LIMITS["email"]:
        row.problems.append(("bad_email", row.email))
    if raw.get("language", "").strip().lower() not in LANGUAGES:
        row.problems.append(("bad_language", raw["language"]))
    for name in filter(None, (p.strip() for p in re.split(r"[;,]", raw.get("programs", "")))):
        keys = lookup.get(name.lower(), ())
        if not keys:
            row.problems.append(("unknown_program", name))
        elif len(keys) > 1:
            row.problems.append(("ambiguous_program", f"{name} ({', '.join(keys)})"))
        elif keys[0] not in row.programs:
            row.programs.append(keys[0])


def parse(rows: list[list[str]], programs) -> list[ImportRow]:
    """The data rows (after the header) as checked ImportRows; duplicates within the file are marked
    (the database is checked by `check_accounts`)."""
    columns = _columns(rows[0])
    lookup = _program_lookup(programs)
    seen: dict[str, int] = {}
    parsed = []
    for line, cells in enumerate(rows[1:], start=2):
        raw = {c: (cells[i] if i < len(cells) else "").strip() for c, i in columns.items()}
        language = LANGUAGES.get(raw.get("language", "").lower(), "ko")
        row = ImportRow(line, raw["name"], raw["email"].lower(), raw.get("organisation", ""), [], language)
        _checked(row, raw, lookup)
        if row.email in seen:
            row.problems.append(("duplicate_in_file", str(seen[row.email])))
        seen.setdefault(row.email, line)
        parsed.append(row)
    return parsed


def check_accounts(connection, rows: list[ImportRow]) -> None:
    """Mark the rows whose address already has an account."""
    emails = [row.email for row in rows if row.email]
    taken = set()
    for start in range(0, len(emails), 200):
        chunk = emails[start : start + 200]
        taken |= set(
            connection.execute(select(User.email).where(func.lower(User.email).in_(chunk))).scalars()
        )
    for row in rows:
        if row.email in taken:
            row.problems.append(("account_exists", row.email))


def preview(db, rows: list[list[str]], programs) -> list[ImportRow]:
    parsed = parse(rows, programs)
    with db.connect() as connection:
        check_accounts(connection, parsed)
    return parsed


def from_dicts(items: list[dict], programs) -> list[ImportRow]:
    """Rows confirmed on the preview page, checked again (programs may have changed since)."""
    rows = [["name", "email", "organisation", "programs", "language"]]
    for item in items:
        rows.append(
            [item["name"], item["email"], item["organisation"], ";".join(item["programs"]), item["language"]]
        )
    parsed = parse(rows, programs)
    for row, item in zip(parsed, items, strict=True):
        row.line = int(item["line"])
    return parsed


def create_all(workflow, rows: list[ImportRow], acting_user_id: int) -> list[int]:
    """Invite every row in one transaction; ImportRefused("rows", rows) and nothing written if any row
    has a problem (checked again inside the transaction). The new user ids."""
    if any(row.problems for row in rows):
        raise ImportRefused("rows", rows)
    now = workflow.clock()
    created, outbox = [], []
    with workflow.db.begin() as connection:
        check_accounts(connection, rows)
        if any(row.problems for row in rows):
            raise ImportRefused("rows", rows)
        actor = person(connection, acting_user_id)
        for row in rows:
            roles = tuple(("reviewer", key) for key in row.programs) or (("reviewer", None),)
            invitee = Invitee(row.email, row.name, row.organisation or None, row.language, roles)
            try:
                user_id, outbox_id = create_invited(connection, invitee, now, actor)
            except AdminError:  # an account made meanwhile for the same address: all rolled back
                row.problems.append(("account_exists", row.email))
                raise ImportRefused("rows", rows) from None
            created.append(user_id)
            outbox.append(outbox_id)
    workflow.committed(outbox)
    return created
