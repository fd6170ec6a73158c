"""Checks of a rule file's decisions (each outcome's trigger leaves the decision's state) and notices
(known channels, known roles, a template in both languages)."""

from __future__ import annotations

from workflow.definitions.raw import as_list, mapping
from workflow.definitions.wording import suggest
from workflow.vocabulary.channels import CHANNELS


def check_decisions(checker) -> None:
    for name, decision in mapping(checker.raw.get("decisions")).items():
        decision = mapping(decision)
        state = decision.get("in")
        checker.state_ref(("decisions", name, "in"), state)
        for index, role in enumerate(as_list(decision.get("roles"))):
            checker.role_ref(("decisions", name, "roles", index), role, firing=True)
        for index, outcome in enumerate(as_list(decision.get("outcomes"))):
            trigger = mapping(outcome).get("trigger")
            if not any(
                t.get("trigger") == trigger and state in as_list(t.get("from")) for t in checker.transitions
            ):
                checker.add(
                    ("decisions", name, "outcomes", index, "trigger"),
                    f"outcome trigger '{trigger}' has no transition from '{state}'",
                    suggest(trigger, {t.get("trigger") for t in checker.transitions}),
                )


def check_notices(checker) -> None:
    for name, notice in checker.notices.items():
        notice = mapping(notice)
        for index, channel in enumerate(as_list(notice.get("channels"))):
            if isinstance(channel, str) and channel not in CHANNELS:
                checker.add(
                    ("notices", name, "channels", index),
                    f"unknown notice channel '{channel}'",
                    suggest(channel, CHANNELS) or f"channels: {', '.join(sorted(CHANNELS))}",
                )
        for index, role in enumerate(as_list(notice.get("to"))):
            checker.role_ref(("notices", name, "to", index), role)
        for key in ("template", "staff_template"):
            template = notice.get(key)
            if isinstance(template, str) and not checker.template_exists(template, checker.program_key):
                checker.add(
                    ("notices", name, key),
                    f"notice '{name}' has no template '{template}'",
                    f"add templates/notices/{template}.ko.txt and {template}.en.txt",
                )
