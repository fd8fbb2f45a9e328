"""Primary keys of stored rows, as the ``int`` they are.

SQLModel types an autoincrement ``id`` as ``int | None`` because a new row has
none until its first flush. Every row read back from the store (or flushed)
has one, so code handing such ids on says it once, here, instead of checking
``None`` at every use; a row that was never flushed fails loudly rather than
writing a NULL key somewhere else.
"""

from __future__ import annotations


def stored_id(key: int | None) -> int:
    """``key`` of a row that is in the store; ``ValueError`` for one that has not been flushed yet."""
    if key is None:
        raise ValueError("the row has no primary key yet: flush it before using its id")
    return key
