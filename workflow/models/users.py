from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)  # contact phone (account page)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    language: Mapped[str] = mapped_column(String(5), default="ko")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # bumped on sign-out, password change or reset and deactivation: every older session cookie dies
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    # None until the address is confirmed by the mailed link; an unverified account cannot apply
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # set while an invitation is open (an account made by an admin, no password yet); the link carries it,
    # so sending a new invitation ends the older links
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")


class UserRole(Base):
    """A role held globally (program_key NULL) or for one program."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "program_key", name="uq_user_roles_assignment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    program_key: Mapped[str | None] = mapped_column(String(80), nullable=True)

    user: Mapped[User] = relationship(back_populates="roles")
