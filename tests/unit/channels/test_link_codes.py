"""One-time codes that connect a second channel (phone, Telegram) to the same learner."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, SQLModel, select

from campus.channels.link_codes import find_code, issue_code, redeem_code
from campus.channels.models import ChannelLinkCode
from campus.learners.identity import find_learner, learner_for
from campus.store.clock import utcnow
from campus.store.db import make_engine


def session_for(tmp_path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'link.db'}")
    SQLModel.metadata.create_all(engine)
    return Session(engine)


def test_code_links_the_other_channel_to_the_same_learner_once(tmp_path) -> None:
    with session_for(tmp_path) as session:
        code = issue_code(session, "socketio", "widget-session-1")
        session.commit()
        assert len(code) == 9 and code[4] == "-"
        assert code.replace("-", "") not in session.exec(select(ChannelLinkCode)).one().code_hash
        widget = find_learner(session, "socketio", "widget-session-1")
        result = redeem_code(session, "telegram", "4711", f"Mein Code ist {code.lower()}")
        session.commit()
        assert result.ok and result.learner.id == widget.id
        assert find_learner(session, "telegram", "4711").id == widget.id
        again = redeem_code(session, "rest", "someone-else", code)
        assert again.problem == "used" and find_learner(session, "rest", "someone-else") is None


def test_a_channel_that_already_had_a_pseudonym_moves_to_the_code_owner(tmp_path) -> None:
    with session_for(tmp_path) as session:
        phone = learner_for(session, "telegram", "4711")
        code = issue_code(session, "socketio", "widget-session-1")
        result = redeem_code(session, "telegram", "4711", code)
        assert result.ok and result.learner.id != phone.id
        assert find_learner(session, "telegram", "4711").id == result.learner.id
        assert redeem_code(session, "socketio", "widget-session-1", issue_code(session, "socketio",
                                                                                "widget-session-1")).problem \
            == "same_channel"


def test_unknown_malformed_and_expired_codes_change_nothing(tmp_path) -> None:
    with session_for(tmp_path) as session:
        code = issue_code(session, "socketio", "w", ttl=timedelta(minutes=5), now=utcnow() - timedelta(minutes=10))
        assert redeem_code(session, "telegram", "1", code).problem == "expired"
        assert redeem_code(session, "telegram", "1", "ABCD-EF2H").problem == "unknown"
        assert redeem_code(session, "telegram", "1", "hallo").problem == "unknown"
        assert redeem_code(session, "telegram", "1", "").problem == "unknown"
        assert find_learner(session, "telegram", "1") is None


def test_find_code_accepts_spaces_hyphens_and_lower_case_but_not_look_alikes() -> None:
    assert find_code("abcd ef7h") == "ABCDEF7H"
    assert find_code("Code: K7P4-QX2M bitte") == "K7P4QX2M"
    assert find_code("ABCD-EFG0") is None  # 0 is not in the alphabet
    assert find_code("Hallo zusammen") is None and find_code("ABCD-EFGH") is None  # words are not codes
