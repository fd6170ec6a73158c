"""Money effects: commit an award against the budget, pay tranches or claims (pay_from_parent), recover
(with interest), cancel.

Every change writes its ledger row first and then moves the totals with a conditional UPDATE whose
WHERE clause carries the invariant (rowcount checked). CHECK constraints and the triggers of
migration 0002 (totals must equal the ledger's sums) make the database refuse anything else.
Never read-then-write: a refused UPDATE refuses the whole fire() and rolls it back. (The award reads
the budget first only to refuse early, before writing anything; the conditional UPDATE still decides.)
"""

from workflow.money import kinds  # noqa: F401  (registers the money effects and guard context)
from workflow.money.awards import award, check_award
from workflow.money.ledger import award_year, describe_award, ensure_budgets, money_summary
from workflow.money.payments import cancel_award, pay_tranche, release_tranches
from workflow.money.recovery import recover, recovery_interest

__all__ = [
    "award",
    "award_year",
    "cancel_award",
    "check_award",
    "describe_award",
    "ensure_budgets",
    "money_summary",
    "pay_tranche",
    "recover",
    "recovery_interest",
    "release_tranches",
]
