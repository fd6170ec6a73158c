"""A tranche is not shown as payable before the step where it can be paid (e.g. before the agreement is
signed), to finance or to the applicant; a stage's `terms:` are shown above its form before the
applicant accepts them (issue 16)."""

from __future__ import annotations

from tests.conftest import RULES_DIR, TEMPLATES_DIR
from tests.factories import AGREEMENT, reviewed_startup
from tests.web.conftest import login
from workflow.definitions.registry import DefinitionRegistry
from workflow.money.payable import paying_states, payment_wait


def _selected(workflow, people, store) -> int:
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok
    return app_id


def test_payment_wait_is_derived_from_the_graph_of_every_shipped_program():
    registry = DefinitionRegistry(RULES_DIR, TEMPLATES_DIR)
    registry.load()
    for program in registry.current.values():
        payable = paying_states(program)
        for state in program.spec.states:
            wait = payment_wait(program, state)
            assert (wait is None) == (state in payable or not payable), (program.key, state)
    startup = registry.latest("startup-support")
    assert payment_wait(startup, "agreement_signed") is None
    assert [label["ko"] for label in payment_wait(startup, "selected")] == [
        startup.trigger_label("sign_agreement")["ko"]
    ]


def test_before_the_agreement_is_signed_no_tranche_reads_as_payable(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _selected(workflow, web_people, store)
    label = workflow.registry.latest("startup-support").trigger_label("sign_agreement")["ko"]
    client = app.test_client()
    login(client, web_people.applicant)
    status = client.get(f"/applications/{app_id}").text
    assert "아직 지급할 수 없음" in status and f"{label} 이후" in status
    assert ">지급 가능<" not in status
    login(client, web_people.finance)
    award = client.get(f"/finance/awards/{app_id}").text
    assert "아직 지급할 수 없음" in award and ">지급 가능<" not in award
    program = client.get("/finance/programs/startup-support").text
    assert "아직 지급할 수 없음" in program
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    award = client.get(f"/finance/awards/{app_id}").text
    assert ">지급 가능<" in award and "아직 지급할 수 없음" not in award
    login(client, web_people.applicant)
    assert ">지급 가능<" in client.get(f"/applications/{app_id}").text


def test_the_agreement_terms_are_shown_before_the_applicant_accepts_them(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _selected(workflow, web_people, store)
    stage = workflow.registry.latest("startup-support").spec.stages["agreement"]
    assert stage.terms is not None
    client = app.test_client()
    login(client, web_people.applicant)
    form = client.get(f"/applications/{app_id}/form").text
    first_line = stage.terms.ko.splitlines()[0]
    assert "동의하기 전에 아래 조건을 읽어 주세요" in form and first_line in form
    assert form.index(first_line) < form.index("협약 조건에 동의합니다")  # read before the tick box
    login(client, web_people.reviewer1)
    assert first_line not in client.get(f"/review/{app_id}").text
