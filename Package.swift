// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "bedside",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bedside", targets: ["bedside"]),
        // libFuzzer targets: scripts/fuzz.sh builds them with -sanitize=fuzzer in .build-fuzz.
        .executable(name: "FuzzTokenVerifier", targets: ["FuzzTokenVerifier"]),
        .executable(name: "FuzzQueryBody", targets: ["FuzzQueryBody"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The gateway's HTTP edge (its own HTTP/1 pipeline) and TLS; both already come with Hummingbird and AsyncHTTPClient.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // Imported directly by the gateway's edge (HTTP request/response types); already comes with Hummingbird.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // gRPC routing to a Python RAG service (issue 12): only the RAGGRPC target links these.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // The gateway's shared state on PostgreSQL (issue 12): only the PostgresStore target links it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Shared domain and wire types; no I/O.
        .target(name: "Core", swiftSettings: strict),
        // The gateway's shared state as a seam, with no backend: the GatewayStateStore protocol and
        // its values, group commit, the audit chain's hash and its one verifier.
        .target(name: "SharedState", dependencies: ["Core", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // The only module that touches SQLite.
        .target(
            name: "SQLiteStore",
            dependencies: ["Core", "SharedState", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The gateway's shared state (GatewayStateStore) on PostgreSQL, for several gateways on one database.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Core", "SharedState", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Ingestion, retrieval, generation, citation checking, HTTP clients for LLM/embeddings/Qdrant.
        .target(
            name: "Inference",
            dependencies: [
                "Core", "SQLiteStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Bearer-token verification (strict header, direct HS256 path, jwt-kit, claims, verified-token
        // cache); kept apart from the HTTP stack so its fuzz target builds quickly.
        .target(
            name: "TokenAuth",
            dependencies: ["Core", .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The one client for the Bedside HTTP API (console, ask/sync, remote inference) and the replica behind it.
        .target(
            name: "APIClient",
            dependencies: [
                "Core",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The HTTP gateway: auth, rate limits, cache, routing, logs, metrics.
        .target(
            name: "LocalGateway",
            dependencies: [
                "Core", "SharedState", "SQLiteStore", "TokenAuth", "APIClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // `serve --inference grpc://HOST:PORT`: rag.RAGService (Protos/rag.proto, generated code committed) as an InferenceService.
        .target(
            name: "RAGGRPC",
            dependencies: [
                "Core", "Inference",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // The Elm-style terminal app; talks to the gateway over HTTP only.
        .target(
            name: "TUI",
            dependencies: [
                "Core", "CNcursesw", "APIClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "bedside",
            dependencies: [
                "Core", "SharedState", "SQLiteStore", "Inference", "LocalGateway", "TUI", "APIClient", "RAGGRPC", "PostgresStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Differential fuzzing (issue 8): with -DBEDSIDE_FUZZ a libFuzzer entry point, otherwise a
        // runner that replays the files or folders given as arguments through the same oracle.
        .target(
            name: "FuzzOracles",
            dependencies: ["TokenAuth", "Core", .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .executableTarget(name: "FuzzTokenVerifier", dependencies: ["FuzzOracles"], swiftSettings: strict),
        .executableTarget(name: "FuzzQueryBody", dependencies: ["FuzzOracles"], swiftSettings: strict),
        // What the test suites share: temp folders, child processes awaited without a thread, polling, JSON text, free ports.
        .target(name: "TestSupport", dependencies: ["Core"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "CoreTests", dependencies: ["Core"], swiftSettings: strict),
        .testTarget(
            name: "RAGGRPCTests", dependencies: ["RAGGRPC", "Core", "Inference", .product(name: "GRPCCore", package: "grpc-swift-2")],
            swiftSettings: strict),
        // Replays every input in Tests/FuzzCorpus through the fuzz oracles (crashes found stay regressions).
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzOracles", "TokenAuth", "Core"], swiftSettings: strict),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: ["SQLiteStore", "SharedState", "Core", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Against a throwaway PostgreSQL cluster the tests start with scripts/pg-cluster.sh (skipped without PostgreSQL).
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "SharedState", "SQLiteStore", "Core", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "InferenceTests",
            dependencies: [
                "Inference", "SQLiteStore", "Core", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ], swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "LocalGateway", "Inference", "SharedState", "SQLiteStore", "Core", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TUITests",
            dependencies: [
                "TUI", "Core", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Runs the built `bedside` binary: CLI end to end, TUI under tmux, real LLM/Qdrant when available.
        .testTarget(name: "EndToEndTests", dependencies: ["Core", "TestSupport"], swiftSettings: strict),
    ]
)
