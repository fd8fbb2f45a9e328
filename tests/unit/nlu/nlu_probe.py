"""Run inside the Rasa venv: featurise and extract competencies for texts given as JSON, print the result."""

import json
import sys

import spacy
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message

from nlu.competency_extractor import CompetencyEntityExtractor
from nlu.e5_featurizer import E5Featurizer, sentence_vector

nlp = spacy.load("var/models/spacy-de")
feat = E5Featurizer(E5Featurizer.get_default_config(), "e5")
ext = CompetencyEntityExtractor(CompetencyEntityExtractor.get_default_config())
texts = json.loads(sys.argv[1])
msgs = [Message(data={"text": t}) for t in texts]
tokenizer = SpacyTokenizer(SpacyTokenizer.get_default_config())
for m in msgs:
    m.set("text_spacy_doc", nlp(m.get("text")))
tokenizer.process(msgs)
feat.process(msgs)
ext.process(msgs, SpacyModel(model=nlp, model_name="var/models/spacy-de"))
out = []
for m in msgs:
    v = sentence_vector(m)
    out.append({"text": m.get("text"), "dim": None if v is None else int(v.shape[0]),
                "norm": None if v is None else float((v ** 2).sum() ** 0.5),
                "entities": [{k: e[k] for k in ("value", "start", "end", "confidence_entity", "source", "extractor")}
                             for e in m.get("entities", [])]})
print(json.dumps(out, ensure_ascii=False))
