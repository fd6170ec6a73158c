"""Money for the large demo: awards, tranches and ledger rows booked against per-year budgets in memory,
following each money effect's own parameters, and written in one transaction at the end (the ledger-sum
triggers check them at COMMIT, as they check `fire`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from workflow.models import Award, LedgerEntry, ProgramBudget, Tranche

SEOUL = ZoneInfo("Asia/Seoul")
BUDGETS = ProgramBudget.__table__


def _awards(program) -> bool:
    return any(kind.name == "award" for t in program.transitions for kind, _ in t.effects)


class MoneyBook:
    def __init__(self, connection, programs: dict, years: range):
        self.budgets: dict = {}  # (key, year) -> row with running totals
        for key, program in programs.items():
            budget = program.spec.budget
            if budget is None or not _awards(program):
                continue
            for year in years:
                total = budget.years.get(year, budget.total) if budget.years else budget.total
                self.budgets[(key, year)] = self._budget_row(connection, key, year, total)
        self.next_award = (connection.execute(select(func.max(Award.id))).scalar() or 0) + 1
        self.awards, self.tranches, self.ledger = [], [], []
        self.programs = programs

    def _budget_row(self, connection, key: str, year: int, total: int) -> dict:
        row = (
            connection.execute(
                select(BUDGETS).where(BUDGETS.c.program_key == key, BUDGETS.c.fiscal_year == year)
            )
            .mappings()
            .first()
        )
        if row is None:
            budget_id = connection.execute(
                insert(BUDGETS)
                .values(program_key=key, fiscal_year=year, currency="KRW", total=total)
                .returning(BUDGETS.c.id)
            ).scalar_one()
            row = {"id": budget_id, "total": total, "committed": 0, "paid": 0, "recovered": 0, "interest": 0}
        return dict(row)

    # decisions ---------------------------------------------------------------------------------
    def possible(self, out, name, params, transition, moment: datetime, data: dict, program) -> bool:
        if name == "award":
            if out.award is not None or getattr(params, "currency", "KRW") != "KRW":
                return False
            budget = self.budgets.get((program.key, moment.astimezone(SEOUL).year))
            amount = self._amount(program, params.amount, data)
            return bool(budget and amount and budget["committed"] + amount <= budget["total"])
        if name == "pay_tranche":
            due = self._next(out)
            return due is not None and due["status"] == "due"
        if name == "recover":
            return out.award is not None and out.award["paid"] > out.award["recovered"]
        if name == "cancel_award":
            return out.award is not None
        return True

    def _amount(self, program, source: str, data: dict) -> int | None:
        try:
            value = program.expressions[source].value({"data": data})
        except Exception:  # the demo skips a step whose amount it cannot work out
            return None
        return int(value) if isinstance(value, int | float) and value >= 1 else None

    @staticmethod
    def _next(out):
        return next((t for t in out.tranches if t["status"] in ("scheduled", "due")), None)

    # bookings ----------------------------------------------------------------------------------
    def apply(self, out, app_id, name, params, data, moment, actor_id, seq, program) -> None:
        if name == "award":
            self._award(out, app_id, params, data, moment, actor_id, seq, program)
        elif name == "pay_tranche":
            tranche = self._next(out)
            tranche.update(status="paid", paid_at=moment, paid_by=actor_id)
            self._book(out, "pay", tranche["amount"], app_id, moment, actor_id, seq)
        elif name == "cancel_award":
            unpaid = out.award["amount"] - out.award["paid"] - out.award["released"]
            for tranche in out.tranches:
                if tranche["status"] in ("scheduled", "due"):
                    tranche["status"] = "cancelled"
            if unpaid > 0:
                self._book(out, "release", unpaid, app_id, moment, actor_id, seq)
        elif name == "recover":
            outstanding = out.award["paid"] - out.award["recovered"]
            amount = outstanding if params.full else max(1, outstanding // 2)
            self._book(out, "recover", amount, app_id, moment, actor_id, seq)

    def _award(self, out, app_id, params, data, moment, actor_id, seq, program) -> None:
        amount = self._amount(program, params.amount, data)
        budget = self.budgets[(program.key, moment.astimezone(SEOUL).year)]
        out.award = {
            "id": self.next_award,
            "application_id": app_id,
            "budget_id": budget["id"],
            "amount": 0,
            "paid": 0,
            "released": 0,
            "recovered": 0,
            "interest": 0,
            "created_at": moment,
            "_budget": budget,
        }
        self.next_award += 1
        shares, left = [], amount
        for index, spec in enumerate(params.tranches):
            last = index == len(params.tranches) - 1
            part = (
                left
                if last
                else (
                    int(amount * spec.share) if spec.share else self._amount(program, spec.amount, data) or 0
                )
            )
            part = min(part, left)
            left -= part
            shares.append((spec, part))
        for seq_no, (spec, part) in enumerate(((s, p) for s, p in shares if p > 0), start=1):
            out.tranches.append(
                {
                    "award_id": out.award["id"],
                    "seq": seq_no,
                    "amount": part,
                    "release_on": spec.release_on,
                    "release_if": spec.release_if,
                    "status": "scheduled" if spec.release_on else "due",
                    "paid_at": None,
                    "paid_by": None,
                }
            )
        self._book(out, "commit", amount, app_id, moment, actor_id, seq)

    def _book(self, out, kind: str, amount: int, app_id, moment, actor_id, seq) -> None:
        award, budget = out.award, out.award["_budget"]
        column = {"commit": "amount", "pay": "paid", "release": "released", "recover": "recovered"}[kind]
        award[column] += amount
        if kind == "commit":
            budget["committed"] += amount
        elif kind == "release":
            budget["committed"] -= amount
        elif kind == "pay":
            budget["paid"] += amount
        else:
            budget["recovered"] += amount
        out.ledger.append(
            {
                "budget_id": budget["id"],
                "award_id": award["id"],
                "application_id": app_id,
                "kind": kind,
                "amount": amount,
                "actor_id": actor_id,
                "event_seq": seq,
                "at": moment,
            }
        )

    def collect(self, out) -> None:
        if out.award is not None:
            self.awards.append({k: v for k, v in out.award.items() if not k.startswith("_")})
            self.tranches.extend(out.tranches)
            self.ledger.extend(out.ledger)

    def write(self, connection) -> int:
        """Awards, tranches and the ledger, then each budget's totals (which the triggers check)."""
        if self.awards:
            connection.execute(insert(Award.__table__), self.awards)
            connection.execute(insert(Tranche.__table__), self.tranches)
            connection.execute(insert(LedgerEntry.__table__), self.ledger)
        for budget in self.budgets.values():
            connection.execute(
                update(BUDGETS)
                .where(BUDGETS.c.id == budget["id"])
                .values(committed=budget["committed"], paid=budget["paid"], recovered=budget["recovered"])
            )
        return len(self.awards)
