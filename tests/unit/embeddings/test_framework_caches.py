"""A competency another process added to the framework reaches this process's matcher and tagger."""

from __future__ import annotations

from sqlmodel import Session

from campus.catalogue.models import Competency
from campus.store.db import get_engine
from embeddings.framework_matchers import competency_matcher
from embeddings.tagging import get_tagger

ROW = dict(id="test_beekeeping_in_parks", area="Fachverfahren der Kommune", label="Stadtimkerei",
           description="Bienenvölker auf städtischen Flächen pflegen, Honig ernten und Varroa-Milben behandeln.",
           synonyms=["Bienenhaltung", "Imkerei"],
           levels={str(k): f"Stufe {k} der Stadtimkerei, beschrieben für den Test." for k in range(5)})


def test_a_competency_stored_elsewhere_is_known_at_the_next_use(prepared_store) -> None:
    before_matcher, before_tagger = competency_matcher(), get_tagger()
    assert before_matcher is competency_matcher() and before_tagger is get_tagger()  # cached while unchanged
    assert ROW["id"] not in [e.id for e in before_tagger.framework]
    with Session(get_engine()) as session:  # as the API process does when the board adds one
        session.add(Competency(**ROW))
        session.commit()
    try:
        tagger = get_tagger()
        assert ROW["id"] in [e.id for e in tagger.framework]
        assert competency_matcher() is not before_matcher
    finally:
        with Session(get_engine()) as session:
            session.delete(session.get(Competency, ROW["id"]))
            session.commit()
    assert get_tagger() is before_tagger  # the framework as it was: the tagger built for it
