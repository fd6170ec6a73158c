"""Commands: db upgrade | demo | rules check/publish/show/migrate | tick | audit verify."""

from __future__ import annotations

import getpass
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from workflow.definitions import diagram
from workflow.engine.actors import Actor
from workflow.engine.timers import tick as run_tick
from workflow.engine.versions import migrate as run_migrate
from workflow.ops.runs import record_run


def _workflow():
    return current_app.extensions["workflow"]


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group():
    pass


@db_group.command("upgrade", help="Migrate the database to the newest schema, then publish the rule files.")
def db_upgrade():
    from workflow.schema import upgrade

    upgrade(_workflow().db)
    click.echo("database is at the newest schema")
    _publish()  # a refused file is reported; the schema is upgraded all the same


def _publish() -> int:
    """Store a snapshot of every loaded rule file (the app itself never writes them); 1 if one is refused."""
    problems = _workflow().registry.publish_all(_workflow().db)
    for problem in problems:
        click.echo(f"refused: {problem}", err=True)
    for key, program in sorted(_workflow().registry.current.items()):
        click.echo(f"published {key} {program.version} ({program.sha256[:12]})")
    return 1 if problems else 0


@click.group("rules", cls=AppGroup, help="Program definitions (rule files).")
def rules_group():
    pass


@rules_group.command("check", help="Validate rule files (all of rules/ by default); exit 1 on any problem.")
@click.argument("files", nargs=-1, type=click.Path())
def rules_check(files):
    registry = _workflow().registry
    results = registry.check_files(files) if files else registry.load()
    _compare_with_database(registry, results)
    problems = 0
    for result in results:
        if result.problems:
            for problem in result.problems:
                click.echo(str(problem))
                problems += 1
        else:
            click.echo(
                f"{result.file}: ok ({result.program.key} {result.program.version}, "
                f"{len(result.program.spec.states)} states, {len(result.program.transitions)} transitions)"
            )
    if problems:
        click.echo(f"{problems} problem(s)", err=True)
        sys.exit(1)


def _compare_with_database(registry, results) -> None:
    """A file changed under a version applications already use is a problem here, not a surprise later."""
    db = _workflow().db
    try:
        if not inspect(db).has_table("definition_snapshots"):
            return
        with db.connect() as connection:
            for result in results:
                if result.program is not None and not result.problems:
                    problem = registry.changed_in_use(connection, result.program)
                    if problem is not None:
                        result.problems.append(problem)
    except OperationalError as error:
        click.echo(f"(not compared with the database: {error.orig})", err=True)


@rules_group.command("publish", help="Store the rule files' snapshots and budgets (also done by db upgrade).")
def rules_publish():
    sys.exit(_publish())


@rules_group.command("show", help="Print a program's state diagram (text, Mermaid or Graphviz).")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid", "dot", "all"]), default="all")
@click.option("--lang", type=click.Choice(["ko", "en"]), default="en")
def rules_show(key, fmt, lang):
    program = _workflow().registry.latest(key)
    if program is None:
        known = ", ".join(sorted(_workflow().registry.current)) or "none"
        click.echo(f"unknown program '{key}' (loaded: {known})", err=True)
        sys.exit(2)
    parts = {
        "text": diagram.as_text(program, lang),
        "mermaid": diagram.as_mermaid(program),
        "dot": diagram.as_dot(program),
    }
    for name in parts if fmt == "all" else [fmt]:
        if fmt == "all":
            click.echo(f"--- {name}")
        click.echo(parts[name])


@rules_group.command("migrate", help="Move applications from one version of a program to another.")
@click.argument("key")
@click.option("--from", "from_version", required=True)
@click.option("--to", "to_version", required=True)
@click.option("--map", "mappings", multiple=True, help="old_state=new_state (repeatable)")
def rules_migrate(key, from_version, to_version, mappings):
    mapping = {}
    for item in mappings:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            click.echo(f"--map takes old=new, not '{item}'", err=True)
            sys.exit(2)
        mapping[old.strip()] = new.strip()
    actor = Actor(id=None, name=f"cli:{getpass.getuser()}", roles=frozenset({"admin"}))
    result, moved = run_migrate(_workflow(), key, from_version, to_version, mapping, actor)
    if not result.ok:
        click.echo(result.reason("en"), err=True)
        sys.exit(1)
    click.echo(f"moved {len(moved)} application(s) from {key} {from_version} to {to_version}")


@click.command("tick", help="Fire every due deadline and reminder (idempotent; run it every minute).")
@with_appcontext
def tick_command():
    workflow = _workflow()
    started = workflow.clock()
    outcomes = run_tick(workflow)
    for outcome in outcomes:
        click.echo(
            f"timer {outcome.timer_id} (application {outcome.application_id}): {outcome.status} {outcome.detail}"
        )
    summary = f"{len(outcomes)} timer(s) handled"
    click.echo(summary)
    from workflow.audit.digest import record_daily

    digest = record_daily(_workflow().db, _workflow().clock())
    if digest is not None:
        click.echo(f"audit digest {digest['seq']} of {digest['day']} recorded: {digest['hash']}")
    if "notices" in current_app.extensions:
        from workflow.notices.cli import sweep_after_tick

        swept = sweep_after_tick()
        click.echo(swept)
        summary += f"; {swept}"
    record_run(workflow.db, "tick", started, workflow.clock(), True, summary)


@click.group("audit", cls=AppGroup, help="The tamper-evident history.")
def audit_group():
    pass


@click.command("demo", help="Load demo users for every role and demo applications in several states.")
@click.option(
    "--size",
    type=click.Choice(["small", "large"]),
    default="small",
    help="large: also N applications over several years in every program, written in bulk.",
)
@click.option("--applications", type=click.IntRange(1), default=100_000, help="With --size large.")
@click.option("--years", type=click.IntRange(1, 20), default=5, help="With --size large.")
@with_appcontext
def demo_command(size, applications, years):
    from workflow.demo import load_demo
    from workflow.storage import file_store_for

    for line in load_demo(_workflow(), file_store_for(current_app)):
        click.echo(line)
    if size == "large":
        from workflow.performance.bulk import load_large

        with click.progressbar(length=applications, label="applications") as bar:
            try:
                counts = load_large(_workflow(), applications, years, progress=bar.update)
            except RuntimeError as error:
                raise click.ClickException(str(error)) from None
        click.echo(", ".join(f"{name}: {count:,}" for name, count in counts.items()))


def init_app(app: Flask) -> None:
    for command in (db_group, rules_group, tick_command, audit_group, demo_command):
        app.cli.add_command(command)
    from workflow.audit.cli import register as register_audit
    from workflow.notices.cli import register
    from workflow.stats.cli import register as register_stats

    register_audit(audit_group)
    register(app)
    register_stats(app)
