"""Tables, one module per aggregate. Models import nothing of ours but the database base."""

from workflow.models.applications import (
    Application,
    ApplicationCount,
    ApplicationLink,
    ApplicationMember,
    ReviewAssignment,
    ReviewerPledge,
    ReviewRound,
)
from workflow.models.audit import AuditDigest, AuditRun, ReadLogEntry, StaffEvent
from workflow.models.definitions import DefinitionSnapshot
from workflow.models.drafts import KeptEntry
from workflow.models.history import HistoryEvent
from workflow.models.money import Award, ExchangeRate, LedgerEntry, ProgramBudget, Tranche
from workflow.models.notices import Letter, NoticeDelivery, NoticePreference, NoticeRun, Notification
from workflow.models.ops import OpsRun, WorkerHeartbeat
from workflow.models.outbox import OutboxMessage
from workflow.models.performance import Company, CompanyApplication, FunnelMark, IndicatorValue, StateStay
from workflow.models.storage import Blob, BlobChunk, StoredMail
from workflow.models.timers import MissedDeadline, Timer
from workflow.models.users import User, UserRole

__all__ = [
    "KeptEntry",
    "Application",
    "ApplicationCount",
    "AuditDigest",
    "AuditRun",
    "ApplicationLink",
    "ApplicationMember",
    "Award",
    "Blob",
    "BlobChunk",
    "Company",
    "CompanyApplication",
    "DefinitionSnapshot",
    "ExchangeRate",
    "FunnelMark",
    "HistoryEvent",
    "IndicatorValue",
    "LedgerEntry",
    "Letter",
    "NoticeDelivery",
    "NoticePreference",
    "NoticeRun",
    "Notification",
    "OpsRun",
    "OutboxMessage",
    "ProgramBudget",
    "ReadLogEntry",
    "ReviewAssignment",
    "ReviewerPledge",
    "ReviewRound",
    "StaffEvent",
    "StateStay",
    "StoredMail",
    "MissedDeadline",
    "Timer",
    "Tranche",
    "User",
    "UserRole",
    "WorkerHeartbeat",
]
