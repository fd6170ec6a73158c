"""The commands: clear output, and a non-zero exit code for every problem."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from workflow.app import create_app


@pytest.fixture
def app(tmp_path):
    return create_app(
        "test", {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "UPLOAD_DIR": str(tmp_path / "up")}
    )


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    return runner


def test_rules_check_all_ok(cli):
    result = cli.invoke(args=["rules", "check"])
    assert result.exit_code == 0 and "startup-support 2026.3" in result.output


def test_rules_check_broken_file_exits_non_zero_with_file_line(cli):
    broken = FIXTURES / "broken" / "unknown_state.yaml"
    result = cli.invoke(args=["rules", "check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:" in result.output and "unknown state 'reveiw'" in result.output


def test_rules_show_prints_text_mermaid_and_dot(cli):
    result = cli.invoke(args=["rules", "show", "regulation-exception"])
    assert result.exit_code == 0
    assert "stateDiagram-v2" in result.output and "digraph" in result.output
    assert "rapid_confirmation --deemed_no_permit_needed--> no_permit_needed" not in result.output
    assert "--deemed_no_permit_needed--> no_permit_needed" in result.output


def test_rules_show_unknown_key(cli):
    result = cli.invoke(args=["rules", "show", "nope"])
    assert result.exit_code == 2 and "unknown program 'nope'" in result.output


def test_migrate_with_unknown_version_exits_non_zero(cli):
    result = cli.invoke(args=["rules", "migrate", "startup-support", "--from", "2026.3", "--to", "1999.1"])
    assert result.exit_code == 1 and "was not found" in result.output
    result = cli.invoke(
        args=["rules", "migrate", "startup-support", "--from", "2026.3", "--to", "x", "--map", "bad"]
    )
    assert result.exit_code == 2


def test_demo_tick_and_audit(cli):
    demo = cli.invoke(args=["demo"])
    assert demo.exit_code == 0, demo.output
    assert "officer@demo.kr" in demo.output and "in_progress" in demo.output and "refused" not in demo.output
    assert "already loaded" in cli.invoke(args=["demo"]).output
    assert cli.invoke(args=["tick"]).exit_code == 0
    verify = cli.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "every history chain verifies; the ledger matches" in verify.output


def test_a_refused_file_at_start_up_is_one_log_line_and_the_check_lists_its_problems(tmp_path, caplog):
    """Started from a terminal, `rules check` printed each problem twice (the start-up log and the list)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    broken = rules / "unknown_state.yaml"
    broken.write_text(
        (FIXTURES / "broken" / "unknown_state.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with caplog.at_level("WARNING", logger="workflow.app"):
        app = create_app(
            "test", {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "RULES_DIR": str(rules)}
        )
    logged = [r.getMessage() for r in caplog.records if "rule file refused" in r.getMessage()]
    assert len(logged) == 1 and f"`flask --app wsgi rules check {broken}` lists them" in logged[0]
    assert "reveiw" not in logged[0]
    result = app.test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 1 and result.output.count("unknown state 'reveiw'") == 1
