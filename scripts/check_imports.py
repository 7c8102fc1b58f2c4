#!/usr/bin/env python3
"""Package.swift declares exactly what each target imports (issue 11, house rules).

For every target in `swift package dump-package`, compares the modules its Swift files
import with the target and product dependencies Package.swift lists. Reports a module
imported but not declared (it builds today only because another dependency drags it in)
and a dependency declared but never imported (it costs build time for nothing), and a
dependency the module graph forbids (ONLY_IN, NEVER).
Exit status 1 when any target differs.
"""
import json
import os
import re
import subprocess
import sys

# Modules that come with the toolchain, never declared as dependencies.
TOOLCHAIN = {
    "Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Darwin",
    "Musl", "XCTest", "Testing", "Synchronization", "_Concurrency", "os", "Observation", "RegexBuilder",
}
# The module graph's rules beyond "declared == imported": each database library is linked by
# its one module (and that module's tests) only, and the shared-state seam depends on no backend.
ONLY_IN = {
    "GRDB": {"SQLiteStore", "SQLiteStoreTests"},
    "PostgresNIO": {"PostgresStore", "PostgresStoreTests", "TestSupport"},
}
NEVER = {"SharedState": {"SQLiteStore", "PostgresStore", "GRDB", "PostgresNIO"}, "PostgresStore": {"SQLiteStore"}}
IMPORT = re.compile(r"^\s*(?:@[\w()\s,:]+\s+)*(?:@_exported\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                     capture_output=True, text=True).stdout)
    failures = 0
    for target in dump["targets"]:
        if target["type"] in ("system", "binary", "plugin", "macro"):
            continue
        name = target["name"]
        default = ("Tests" if target["type"] == "test" else "Sources") + "/" + name
        path = os.path.join(root, target.get("path") or default)
        declared = set()
        for dep in target.get("dependencies", []):
            kind = next(iter(dep))
            declared.add(dep[kind][0])
        imported = set()
        for folder, _, files in os.walk(path):
            for file in files:
                if file.endswith(".swift"):
                    with open(os.path.join(folder, file), encoding="utf-8") as handle:
                        imported.update(IMPORT.findall(handle.read()))
        imported -= TOOLCHAIN
        imported.discard(name)
        missing = sorted(imported - declared)
        unused = sorted(declared - imported)
        forbidden = sorted({m for m, owners in ONLY_IN.items() if m in declared and name not in owners} | (declared & NEVER.get(name, set())))
        if missing or unused or forbidden:
            failures += 1
            if forbidden:
                print(f"{name}: must not depend on: {', '.join(forbidden)}")
            if missing:
                print(f"{name}: imports but does not declare: {', '.join(missing)}")
            if unused:
                print(f"{name}: declares but never imports: {', '.join(unused)}")
    if failures:
        print(f"check_imports: {failures} target(s) differ from Package.swift", file=sys.stderr)
        return 1
    print("check_imports: every target declares exactly what it imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
