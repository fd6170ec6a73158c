"""`flask audit verify`: the operator's language, --program, --since, a fault named with exit code 1."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.audit.helpers import drop_protection
from workflow.app import create_app
from workflow.models import Application


@pytest.fixture
def app(tmp_path):
    return create_app(
        "test", {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "UPLOAD_DIR": str(tmp_path / "up")}
    )


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    return runner


def change_amount_directly(app) -> int:
    engine = app.extensions["workflow"].db
    with engine.begin() as connection:
        drop_protection(connection)
        app_id, data = connection.execute(
            select(Application.id, Application.data)
            .where(Application.program_key == "startup-support")
            .limit(1)
        ).one()
        connection.execute(update(Application).where(Application.id == app_id).values(data={**data, "x": 1}))
    return app_id


def test_verify_in_the_operators_language(cli):
    korean = cli.invoke(
        args=["audit", "verify"], env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "ko_KR.UTF-8"}
    )
    assert korean.exit_code == 0 and "검증했습니다" in korean.output
    english = cli.invoke(args=["audit", "verify"], env={"LC_ALL": "C.UTF-8"})
    assert english.exit_code == 0 and "every history chain verifies" in english.output


def test_a_row_changed_outside_the_engine_fails_the_command(app, cli):
    app_id = change_amount_directly(app)
    result = cli.invoke(args=["audit", "verify", "--lang", "ko"])
    assert result.exit_code == 1
    assert f"신청서 {app_id}" in result.output and "엔진 밖에서 신청서가 변경됨(신청 내용)" in result.output
    other = cli.invoke(args=["audit", "verify", "--program", "regulation-exception", "--lang", "en"])
    assert other.exit_code == 0, "another program's chains are not walked"
    same = cli.invoke(args=["audit", "verify", "--program", "startup-support", "--lang", "en"])
    assert same.exit_code == 1 and f"application {app_id}" in same.output


def test_since_walks_only_chains_with_recent_events(app, cli):
    change_amount_directly(app)
    later = cli.invoke(args=["audit", "verify", "--since", "2099-01-01", "--lang", "en"])
    assert later.exit_code == 0 and "0 chain(s), 0 event(s)" in later.output
    earlier = cli.invoke(args=["audit", "verify", "--since", "2000-01-01", "--lang", "en"])
    assert earlier.exit_code == 1
    assert cli.invoke(args=["audit", "verify", "--since", "yesterday"]).exit_code == 2
    assert cli.invoke(args=["audit", "verify", "--program", "nope"]).exit_code == 2


def test_digest_exported_and_verified_against(app, cli, tmp_path):
    signed, pdf = tmp_path / "digest.txt", tmp_path / "digest.pdf"
    recorded = cli.invoke(args=["audit", "digest", "--out", str(signed), "--pdf", str(pdf), "--lang", "en"])
    assert recorded.exit_code == 0 and "digest 1 recorded" in recorded.output
    assert signed.read_text().startswith("Gangwon grants audit digest") and pdf.read_bytes().startswith(
        b"%PDF"
    )
    ok = cli.invoke(args=["audit", "verify", "--against", str(signed), "--lang", "ko"])
    assert ok.exit_code == 0 and "1번 일일 요약" in ok.output
    public = cli.invoke(args=["audit", "public-key"]).output.strip()
    assert public.startswith("ed25519:") and f"key: {public}" in signed.read_text()
    given = cli.invoke(args=["audit", "verify", "--against", str(signed), "--public-key", public])
    assert given.exit_code == 0
    other = "ed25519:" + "11" * 32  # a key the auditors hold from elsewhere: this file was not signed with it
    foreign = cli.invoke(
        args=["audit", "verify", "--against", str(signed), "--public-key", other, "--lang", "en"]
    )
    assert foreign.exit_code == 1 and "cannot be trusted" in foreign.output
    signed.write_text(signed.read_text().replace("chains: ", "chains: 1"))
    refused = cli.invoke(args=["audit", "verify", "--against", str(signed), "--lang", "en"])
    assert refused.exit_code == 1 and "cannot be trusted" in refused.output


def test_tick_records_one_digest_a_day(cli):
    first = cli.invoke(args=["tick"])
    assert first.exit_code == 0 and "audit digest 1 of" in first.output
    assert "audit digest" not in cli.invoke(args=["tick"]).output
    shown = cli.invoke(args=["audit", "digest", "--show"])
    assert shown.exit_code == 0 and "seq: 1" in shown.output
