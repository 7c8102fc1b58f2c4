#!/usr/bin/env bash
# Regenerates the Swift code for Protos/rag.proto into Sources/RAGGRPC/Generated (committed;
# CI does not run this). Needs protoc (Debian: apt-get install -y protobuf-compiler) and the
# plugins protoc-gen-swift and protoc-gen-grpc-swift-2, built once here in their own scratch
# folder from the same swift-protobuf / grpc-swift-protobuf versions as Package.swift
# (first build about 5-10 minutes on 2 cores):
#   bash scripts/generate-grpc.sh
# PLUGINS=/path/to/bin skips the build and uses plugins already built there.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }
if [ -z "${PLUGINS:-}" ]; then
  work="${BEDSIDE_PROTOC_PLUGINS:-$HOME/.cache/bedside-protoc-plugins}"
  mkdir -p "$work/Sources/Dummy"
  cat > "$work/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "protoc-plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
    ],
    targets: [.target(name: "Dummy")]
)
SWIFT
  echo "public let unused = 0" > "$work/Sources/Dummy/Dummy.swift"
  (cd "$work" && swift build --product protoc-gen-swift && swift build --product protoc-gen-grpc-swift-2)
  PLUGINS="$(cd "$work" && swift build --show-bin-path)"
fi
out=Sources/RAGGRPC/Generated
mkdir -p "$out"
protoc -I Protos \
  --plugin=protoc-gen-swift="$PLUGINS/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift-2="$PLUGINS/protoc-gen-grpc-swift-2" \
  --swift_out="$out" --swift_opt=Visibility=Public \
  --grpc-swift-2_out="$out" --grpc-swift-2_opt=Visibility=Public,Server=false,Client=true \
  Protos/rag.proto
ls -l "$out"
