"""Who saved each stored model (a browser's random id and its nickname), so a student's model stays theirs.

Saving under a name someone else saved is refused; the teacher may write any. A model in the
store with no recorded owner (saved from the terminal, or before owners were kept) is the
teacher's. The shipped models stay read-only for everyone: the store refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exc, insert, select, update

from ..store import ModelStore, StoreError, sanitize_name
from .database import ClassDatabase
from .schema import as_utc, now, owners


class OwnershipError(StoreError):
    """A write to a stored model someone else saved."""


@dataclass(frozen=True)
class Owner:
    """Who saved a stored model, and when."""

    name: str
    browser_id: str | None
    nickname: str | None
    saved_at: datetime


class Owners:
    """The owners of the models in `store` (default: the app's), kept in the class database at `url`."""

    def __init__(self, url: str | None = None, store: ModelStore | None = None):
        self.db, self.store = ClassDatabase(url), store or ModelStore()

    def owner(self, name: str) -> Owner | None:
        """Who saved the model `name`, or None when nobody is recorded."""
        with self.db.reading() as conn:
            row = conn.execute(select(owners).where(owners.c.name == sanitize_name(name))).first()
        return None if row is None else Owner(row.name, row.browser_id, row.nickname, as_utc(row.saved_at))

    def check_write(self, name: str, browser_id: str | None, teacher: bool) -> str:
        """The sanitised name if this browser may save or delete the model `name`; OwnershipError if not."""
        name = sanitize_name(name)
        if not teacher and not _may_write(self.owner(name), browser_id, self.store.exists(name)):
            raise _taken(name)
        return name

    def claim(self, name: str, browser_id: str | None, nickname: str | None, teacher: bool = False) -> str:
        """Record this browser as the one saving `name`, before the save: checked and written in one transaction,
        so two browsers saving one new name at once cannot both have it. Returns the sanitised name."""
        name, exists = sanitize_name(name), self.store.exists(name)
        values = {"browser_id": browser_id, "nickname": nickname, "saved_at": now()}
        with self.db.writing() as conn:
            row = conn.execute(select(owners).where(owners.c.name == name)).first()
            if not teacher and not _may_write(row, browser_id, exists):
                raise _taken(name)
            if row is not None:
                conn.execute(update(owners).where(owners.c.name == name).values(values))
                return name
            try:
                conn.execute(insert(owners).values(name=name, **values))
            except exc.IntegrityError:  # another browser claimed the same new name at the same moment
                raise _taken(name) from None
        return name

    def release(self, name: str) -> None:
        """Forget the owner of a model that was deleted."""
        with self.db.writing() as conn:
            conn.execute(delete(owners).where(owners.c.name == sanitize_name(name)))

    def delete(self, name: str, browser_id: str | None, teacher: bool) -> str:
        """Delete the stored model `name` and forget its owner, if this browser saved it or is the teacher's:
        OwnershipError if not, StoreError for a shipped model (read-only for everyone). Returns its name."""
        name = sanitize_name(name)
        if self.store.info(name).shipped:
            raise StoreError(f"{name!r} is a shipped model: read-only for everyone")
        if not teacher and not _may_write(self.owner(name), browser_id, stored=True):
            raise OwnershipError(f"{name!r} was saved by someone else: only they or the teacher can delete it")
        self.store.delete(name)
        self.release(name)
        return name


def _may_write(owner, browser_id: str | None, stored: bool) -> bool:
    """Whether `browser_id` saved it, or it is a new name (a stored model without an owner is the teacher's)."""
    if owner is None:
        return not stored
    return browser_id is not None and owner.browser_id == browser_id


def _taken(name: str) -> OwnershipError:
    return OwnershipError(f"{name!r} was saved by someone else: choose another name")
