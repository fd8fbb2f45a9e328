"""Pending messages for the widget are handed over once, at the learner's next greeting."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, select

from campus.channels.models import Outbox
from campus.channels.outbox import take_pending
from campus.learners.identity import learner_for
from campus.store.db import make_engine


def test_pending_messages_are_taken_once_per_channel(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        learner = learner_for(session, "socketio", "s1")
        session.add_all([Outbox(learner_id=learner.id, channel="socketio", text=f"Nachricht {i}") for i in (1, 2)]
                        + [Outbox(learner_id=learner.id, channel="telegram", text="per Telegram")])
        session.commit()
        assert take_pending(session, "socketio", "s1") == ["Nachricht 1", "Nachricht 2"]
        assert take_pending(session, "socketio", "s1") == []
        assert take_pending(session, "telegram", "x") == [] and take_pending(session, "socketio", "nobody") == []
        session.commit()
        statuses = {r.text: r.status for r in session.exec(select(Outbox)).all()}
        assert statuses == {"Nachricht 1": "sent", "Nachricht 2": "sent", "per Telegram": "pending"}
