"""A notice channel is one registered object: a test module adds an SMS channel and a notice sent on it
reaches it, with no change to the notices code; an unregistered channel is refused by the checker."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FIXTURES, TEMPLATES_DIR
from tests.notices.conftest import make_app, people_on
from tests.notices.helpers import notifications, outbox
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.notices.mail import read_folder
from workflow.vocabulary.channels import CHANNELS, NoticeChannel, register_channel

TEXTED = FIXTURES / "registries" / "texted.yaml"


@pytest.fixture
def texts():
    sent: list[tuple[int, str]] = []

    def deliver(notice) -> None:
        sent.append((notice.recipient.user_id, notice.message.subject))
        notice.reached.add("sms")

    register_channel(NoticeChannel("sms", deliver, order=25))
    yield sent
    CHANNELS.pop("sms")


def test_a_registered_channel_gets_the_notice(sqlite_db, tmp_path, clock, texts):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(TEXTED, rules / "texted.yaml")
    app = make_app(sqlite_db, tmp_path, clock, RULES_DIR=str(rules))
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = workflow.create("texted", people.applicant, {"headline": "문자"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    [row] = outbox(app)
    assert row["channels"] == ["sms"] and row["status"] == "sent"
    assert texts == [(people.applicant.id, f"[문자 알림] 신청서가 접수되었습니다 (#{app_id})")]
    assert read_folder(tmp_path / "mail") == []  # no e-mail: the notice did not ask for it
    assert notifications(app, people.applicant.id) == []  # the SMS reached them: no inbox fallback


def test_the_inbox_is_the_fallback_when_no_chosen_channel_reaches_the_person(sqlite_db, tmp_path, clock):
    register_channel(NoticeChannel("sms", lambda notice: None, order=25))  # reaches nobody
    try:
        rules = tmp_path / "rules"
        rules.mkdir()
        shutil.copy(TEXTED, rules / "texted.yaml")
        app = make_app(sqlite_db, tmp_path, clock, RULES_DIR=str(rules))
        people = people_on(app)
        workflow = app.extensions["workflow"]
        app_id = workflow.create("texted", people.applicant, {"headline": "문자"}).application_id
        assert workflow.fire(app_id, "submit", people.applicant).ok
        [inbox] = notifications(app, people.applicant.id)
        assert inbox["kind"] == "received" and not inbox["emailed"]
    finally:
        CHANNELS.pop("sms")


def test_an_unregistered_channel_is_refused_by_the_checker():
    messages = [p.message for p in load_file(TEXTED, NoticeTemplates(TEMPLATES_DIR)).problems]
    assert "unknown notice channel 'sms'" in messages


def test_the_built_in_channels_are_registered_objects():
    assert {"email", "pdf", "inbox"} <= set(CHANNELS)
    assert CHANNELS["inbox"].fallback and CHANNELS["pdf"].needs_all_facts


def test_the_extensions_setting_loads_a_channel_module(sqlite_db, tmp_path, clock, monkeypatch):
    import sys

    from workflow.config import DevConfig
    from workflow.extensions import BUILT_IN

    monkeypatch.setenv("EXTENSIONS", "tests.notices.sms_channel")
    assert DevConfig.from_environment()["EXTENSIONS"] == (*BUILT_IN, "tests.notices.sms_channel")
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(TEXTED, rules / "texted.yaml")
    try:
        app = make_app(
            sqlite_db,
            tmp_path,
            clock,
            RULES_DIR=str(rules),
            EXTENSIONS=(*BUILT_IN, "tests.notices.sms_channel"),
        )
        people = people_on(app)
        workflow = app.extensions["workflow"]
        app_id = workflow.create("texted", people.applicant, {"headline": "문자"}).application_id
        assert workflow.fire(app_id, "submit", people.applicant).ok
        assert sys.modules["tests.notices.sms_channel"].SENT[-1][0] == people.applicant.id
    finally:
        CHANNELS.pop("sms", None)
        sys.modules.pop("tests.notices.sms_channel", None)
