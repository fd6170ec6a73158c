"""Demo data: a user for every role, then each program's demo applications, all made through the engine.

The applications are data kept beside each program (rules/demo/<key>.yaml): the form's values and the
steps that bring each application to its state. Python names no field of a rule file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from workflow.engine.actors import load_actor
from workflow.engine.members import add_member
from workflow.money.fx import rate_on, record_rate
from workflow.services import reviews
from workflow.services.files import FileStore
from workflow.services.users import create_user, find_user_id

DEMO_PASSWORD = "demo-2026!"
# (email, name, organisation, language, global roles, the program roles they take: a capability of the
# role registry or a family of a program's own roles). Which program roles exist comes from the rule files.
USERS = [
    ("admin@demo.kr", "관리자", "강원 디지털헬스케어 클러스터", "ko", ["admin"], ()),
    ("officer@demo.kr", "김담당", "강원 디지털헬스케어 클러스터", "ko", [], ("manage", "staff")),
    ("finance@demo.kr", "박재무", "강원 디지털헬스케어 클러스터", "ko", [], ("finance",)),
    ("auditor@demo.kr", "최감사", "감사실", "ko", ["auditor"], ()),
    ("reviewer1@demo.kr", "이평가", "한림대학교", "ko", ["reviewer"], ("reviewer",)),
    ("reviewer2@demo.kr", "정평가", "강원대학교", "ko", ["reviewer"], ("reviewer",)),
    ("reviewer3@demo.kr", "Dr. Emma Lee", "Seoul Health Lab", "en", ["reviewer"], ("reviewer",)),
    ("applicant@demo.kr", "한신청", "헬스온 주식회사", "ko", [], ()),
    ("partner@demo.kr", "Sam Partner", "MedBridge Ltd.", "en", [], ()),
    ("professor@demo.kr", "윤교수", "강원대학교 산학협력단", "ko", [], ()),
]
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def load_demo(workflow, store: FileStore | str | Path, demo_dir: str | Path | None = None) -> list[str]:
    """Demo users, then the demo applications kept beside each program (rules/demo/<key>.yaml)."""
    store = store if isinstance(store, FileStore) else FileStore(store)
    demo_dir = Path(demo_dir) if demo_dir else workflow.registry.rules_dir / "demo"
    programs = [workflow.registry.current[key] for key in sorted(workflow.registry.current)]
    grants = program_roles(programs)
    with workflow.db.begin() as connection:
        if find_user_id(connection, USERS[0][0]) is not None:
            return [*login_lines(grants), "demo data already loaded"]
        ids = {
            email: create_user(
                connection,
                email,
                name,
                DEMO_PASSWORD,
                organisation=org,
                language=lang,
                roles=[(role, None) for role in global_roles] + grants[email],
            )
            for email, name, org, lang, global_roles, _takes in USERS
        }
    with workflow.db.connect() as connection:
        actor = {email: load_actor(connection, user_id) for email, user_id in ids.items()}
    lines = list(login_lines(grants))
    for path in sorted(demo_dir.glob("*.yaml")) if demo_dir.is_dir() else []:
        if path.stem in workflow.registry.current:
            lines += _program_demo(workflow, store, actor, path.stem, _read(path))
    return lines


def program_roles(programs) -> dict[str, list[tuple[str, str]]]:
    """email → (role, program key) for every role a program declares that is held per program: the
    built-in staff roles by their capability (manage → officer, lead officer; finance → finance) and
    the program's own roles by what they are like (staff, reviewer)."""
    grants: dict[str, list[tuple[str, str]]] = {email: [] for email, *_ in USERS}
    for program in programs:
        for role in program.spec.roles:
            kind = program.role_kinds.get(role)
            if kind is None or kind.held_by != "program":
                continue
            marks = {kind.like} if kind.like else set(kind.may) - {"board", "staff_view", "finance_read"}
            for email, *_rest, takes in USERS:
                if marks & set(takes):
                    grants[email].append((role, program.key))
    return grants


def _read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _values(store: FileStore, values: dict, index: int) -> dict:
    """The demo file's values for the index-th application: {n}/{i} filled in, {file: NAME} stored."""

    def one(value):
        if isinstance(value, str):
            return value.replace("{n}", str(index + 1)).replace("{i}", str(index))
        if isinstance(value, dict) and set(value) == {"file"}:
            return store.save(MINIMAL_PDF, value["file"], accept=("pdf",))
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    return {name: one(value) for name, value in (values or {}).items()}


def _program_demo(workflow, store, actor, key: str, demo: dict) -> list[str]:
    lines = []
    applicant = actor[demo["applicant"]]
    for index, spec in enumerate(demo.get("applications", [])):
        data = (
            {}
            if spec.get("empty")
            else _values(store, {**demo.get("data", {}), **spec.get("data", {})}, index)
        )
        created = workflow.create(key, applicant, data)
        if not created.ok:
            return [*lines, f"  ! {key}: {created.reason('en')}"]
        app_id = created.application_id
        for email in spec.get("members", demo.get("members", [])):
            result = add_member(workflow, app_id, applicant, email)
            if not result.ok:
                lines.append(f"  ! member {email} on #{app_id} refused: {result.reason('en')}")
        for step in spec.get("steps", []):
            by = actor[step["by"]] if "by" in step else applicant
            result = _take(workflow, store, actor, app_id, step, by, index)
            if result is not None and not result.ok:
                lines.append(f"  ! {_describe(step)} on #{app_id} refused: {result.reason('en')}")
        lines.append(f"{key} application #{app_id}: {spec['name']}")
    return lines


def _take(workflow, store, actor, app_id: int, step: dict, by, index: int):
    if "save" in step:
        return workflow.save_draft(app_id, by, _values(store, step["save"], index))
    if "fire" in step:
        data = _values(store, step.get("data"), index) or None
        return workflow.fire(app_id, step["fire"], by, data=data, reason=step.get("reason"))
    if "assign" in step:
        for email in step["assign"]:
            result = reviews.assign(workflow, app_id, actor[email].id, by)
            if not result.ok:
                return result
        return None
    if "rate" in step:  # an exchange rate finance records (for a claim in a foreign currency)
        rate = step["rate"]
        with workflow.db.begin() as connection:
            if rate_on(connection, rate["currency"], date.fromisoformat(str(rate["day"]))) is None:
                record_rate(
                    connection,
                    rate["currency"],
                    str(rate["rate"]),
                    date.fromisoformat(str(rate["day"])),
                    by.id,
                    rate.get("source"),
                    workflow.clock(),
                )
        return None
    if "review" in step:
        reviewer = actor[step["review"]]
        reviews.accept_pledge(workflow, reviewer)
        reviews.declare(workflow, app_id, reviewer, "none")
        return reviews.submit(workflow, app_id, reviewer, step["scores"], step.get("comment", ""))
    raise ValueError(f"unknown demo step {step}")


def _describe(step: dict) -> str:
    return next(
        f"{kind} {step[kind]}" for kind in ("fire", "save", "assign", "review", "rate") if kind in step
    )


def login_lines(grants: dict[str, list[tuple[str, str]]]) -> list[str]:
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    for email, _, _, _, global_roles, _takes in USERS:
        held = sorted({*global_roles, *(role for role, _ in grants[email])})
        programs = len({key for _, key in grants[email]})
        where = f" ({programs} programs)" if programs else ""
        lines.append(f"  {email:<22} {', '.join(held) or 'applicant'}{where}")
    return lines
