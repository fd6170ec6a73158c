"""`flask audit verify | digest`: in the operator's language, with a progress bar on a terminal."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from workflow.audit import digest as digests
from workflow.audit.parallel import verify_parallel
from workflow.audit.verify import Scope, count_events
from workflow.services.finance import reconcile

SEOUL = ZoneInfo("Asia/Seoul")
TEXTS = {
    "ok": {
        "ko": "기록 사슬 {chains}개, 기록 {events}건을 검증했습니다. 모두 이상 없고 장부가 예산·지원금과 일치합니다.",
        "en": "{chains} chain(s), {events} event(s): every history chain verifies; "
        "the ledger matches every budget and award",
    },
    "faults": {
        "ko": "기록 사슬 {chains}개, 기록 {events}건 검증: 문제 {count}건",
        "en": "{chains} chain(s), {events} event(s) verified: {count} problem(s)",
    },
    "progress": {"ko": "기록 검증", "en": "verifying"},
    "unknown_program": {"ko": "'{key}' 사업이 없습니다.", "en": "unknown program '{key}'"},
    "money": {"ko": "장부", "en": "money"},
    "anchor_ok": {
        "ko": "{seq}번 일일 요약({day}) 이전의 기록은 바뀌지 않았습니다.",
        "en": "nothing before digest {seq} ({day}) changed",
    },
    "bad_file": {
        "ko": "요약 파일을 믿을 수 없습니다(서명 또는 형식 오류): {file}",
        "en": "the digest file cannot be trusted (signature or format): {file}",
    },
    "recorded": {"ko": "{seq}번 일일 요약을 기록했습니다: {hash}", "en": "digest {seq} recorded: {hash}"},
    "no_digest": {"ko": "기록된 요약이 없습니다.", "en": "no digest recorded yet"},
}


def operator_language() -> str:
    """Korean when the operator's locale is Korean, English otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def text(name: str, lang: str, **params) -> str:
    return TEXTS[name][lang].format(**params)


def seoul_day(value: str) -> datetime:
    """A date (YYYY-MM-DD) as the start of that day in Seoul."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError as error:
        raise click.BadParameter("YYYY-MM-DD") from error
    return day.replace(tzinfo=SEOUL)


def _workflow():
    return current_app.extensions["workflow"]


@click.command(
    "verify",
    help="Walk every history chain and the staff chain (name the first altered, missing or forged event; "
    "every application row changed outside the engine) and reconcile the ledger.",
)
@click.option("--program", "program_key", help="Only this program's applications.")
@click.option("--since", help="Only applications with an event on or after this day (YYYY-MM-DD, Seoul).")
@click.option(
    "--against",
    type=click.Path(exists=True, dir_okay=False),
    help="A signed digest file: also prove that nothing before that digest changed.",
)
@click.option(
    "--public-key",
    help="The key the digest must be signed with (ed25519:<hex>, kept by the auditors); default: this system's.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes walking ranges of applications at once (default: AUDIT_VERIFY_JOBS, else 1).",
)
@click.option("--lang", type=click.Choice(["ko", "en"]), help="Language of the output (default: from LANG).")
@with_appcontext
def verify_command(program_key, since, against, public_key, jobs, lang):
    lang = lang or operator_language()
    workflow = _workflow()
    anchor = None
    if against:
        try:
            with open(against, encoding="utf-8") as file:
                trusted = public_key or digests.public_key_text(digests.signing_key(current_app.config))
                anchor = digests.parse_signed_text(file.read(), trusted)
        except (digests.DigestFileError, UnicodeDecodeError):
            click.echo(text("bad_file", lang, file=against), err=True)
            sys.exit(1)
    if program_key and program_key not in workflow.registry.current:
        click.echo(text("unknown_program", lang, key=program_key), err=True)
        sys.exit(2)
    scope = Scope(program=program_key, since=seoul_day(since) if since else None)
    jobs = jobs or int(current_app.config.get("AUDIT_VERIFY_JOBS") or 1)
    started = workflow.clock()
    with workflow.db.connect() as connection:
        total = count_events(connection, scope) if sys.stderr.isatty() else None
    if total is not None:
        with click.progressbar(length=total, label=text("progress", lang), file=sys.stderr) as bar:
            seen = [0]

            def progress(done: int) -> None:
                bar.update(done - seen[0])
                seen[0] = done

            report = verify_parallel(workflow.db, scope, jobs, progress)
    else:
        report = verify_parallel(workflow.db, scope, jobs)
    with workflow.db.connect() as connection:
        money = reconcile(connection) if scope.whole else []
        anchored = digests.verify_against(connection, anchor) if anchor else None
    lines = [fault.line(lang) for fault in report.faults]
    if anchored is not None:
        lines += [fault.line(lang) for fault in anchored.faults]
    lines += [f"{text('money', lang)}: {problem}" for problem in money]
    for line in lines:
        click.echo(line)
    counts = {"chains": report.chains, "events": report.events}
    if scope.whole:
        from workflow.ops.runs import record_run

        detail = f"{len(lines)} fault(s), {report.events} event(s)"
        record_run(workflow.db, "audit_verify", started, workflow.clock(), not lines, detail)
    if lines:
        click.echo(text("faults", lang, count=len(lines), **counts))
        sys.exit(1)
    click.echo(text("ok", lang, **counts))
    if anchor:
        click.echo(text("anchor_ok", lang, seq=anchor["seq"], day=anchor["day"]))


@click.command("digest", help="Record a digest of every chain's head now and print it as signed text.")
@click.option("--show", "show_only", is_flag=True, help="Print the latest digest instead of recording one.")
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), help="Also write the signed text here."
)
@click.option("--pdf", type=click.Path(dir_okay=False, writable=True), help="Also write it as a PDF here.")
@click.option("--lang", type=click.Choice(["ko", "en"]), help="Language of the output (default: from LANG).")
@with_appcontext
def digest_command(show_only, out, pdf, lang):
    lang = lang or operator_language()
    workflow = _workflow()
    if show_only:
        with workflow.db.connect() as connection:
            digest = digests.latest(connection)
        if digest is None:
            click.echo(text("no_digest", lang), err=True)
            sys.exit(1)
    else:
        with workflow.db.begin() as connection:
            digest = digests.record(connection, workflow.clock())
        click.echo(text("recorded", lang, seq=digest["seq"], hash=digest["hash"]), err=True)
    signed = digests.signed_text(digest, digests.signing_key(current_app.config))
    click.echo(signed, nl=False)
    if out:
        with open(out, "w", encoding="utf-8") as file:
            file.write(signed)
    if pdf:
        from workflow.audit.report import digest_pdf

        with open(pdf, "wb") as file:
            file.write(digest_pdf(signed, lang))


@click.command("public-key", help="Print the public key that checks digest files (give it to the auditors).")
@with_appcontext
def public_key_command():
    click.echo(digests.public_key_text(digests.signing_key(current_app.config)))


def register(group) -> None:
    group.add_command(verify_command)
    group.add_command(digest_command)
    group.add_command(public_key_command)
