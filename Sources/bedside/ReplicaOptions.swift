import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import SQLiteStore

/// Where and how big the workstation replica of a remote gateway is: one file per gateway
/// URL and token subject under `$XDG_DATA_HOME/bedside/replicas/`, bounded by
/// `[replica] max_mb` and `max_age` (config file, `BEDSIDE_REPLICA_*`, or these flags).
struct ReplicaOptions: ParsableArguments {
    @Option(
        name: .customLong("replica-max-mb"),
        help: ArgumentHelp(
            "Largest replica of a --gateway, in MB (config [replica] max_mb; default 200). The oldest answers go first.", valueName: "MB"))
    var maxMB: Int?

    @Option(
        name: .customLong("replica-max-age"),
        help: ArgumentHelp("Oldest answer kept in the replica, e.g. 90d (config [replica] max_age; default 365d).", valueName: "duration"))
    var maxAge: String?

    @Flag(name: .customLong("no-replica"), help: "Keep no replica of a --gateway (nothing replays offline).")
    var noReplica = false

    static let maxMBKey = ConfigKey(
        "replica", "max_mb", .integer(1...1_000_000), env: ["BEDSIDE_REPLICA_MAX_MB"], flag: "--replica-max-mb",
        help: "Largest replica of a --gateway, in MB; the oldest answers go first.")
    static let maxAgeKey = ConfigKey(
        "replica", "max_age", .duration, env: ["BEDSIDE_REPLICA_MAX_AGE"], flag: "--replica-max-age",
        help: "Oldest answer kept in the replica.")
    static var keys: [ConfigKey] { [maxMBKey, maxAgeKey] }

    /// These flags by `ConfigKey.dotted`.
    var flags: [String: String] { Settings.flags([Self.maxMBKey: maxMB.map(String.init), Self.maxAgeKey: maxAge]) }

    /// The limits: flags, else `BEDSIDE_REPLICA_*`, else the config file's `[replica]` section, else the defaults.
    func limits(environment: [String: String] = Settings.environment) throws -> ReplicaLimits {
        try Self.limits(Settings.layers(flags: flags, environment: environment))
    }

    static func limits(_ layers: ConfigLayers) throws -> ReplicaLimits {
        var limits = ReplicaLimits.standard
        if let mb = try layers.int(maxMBKey) { limits.maxBytes = Int64(mb) << 20 }
        if let age = try layers.duration(maxAgeKey) { limits.maxAge = age }
        return limits
    }

    /// The rows of `bedside config`.
    static func rows(_ limits: ReplicaLimits, layers: ConfigLayers) -> [ConfigRow] {
        [
            ConfigRow(key: maxMBKey, value: limits.maxBytes.map { String($0 >> 20) }, origin: layers.origin(maxMBKey)),
            ConfigRow(key: maxAgeKey, value: limits.maxAge.map(formatDuration), origin: layers.origin(maxAgeKey)),
        ]
    }

    /// The replica of `gatewayURL` for the token's subject, opened (and checked) now when its
    /// file exists, created only when there is something to keep, so a token the gateway
    /// refuses leaves no file behind. Nil with `--no-replica`, or when the token names no
    /// subject (the gateway will refuse it anyway).
    func replica(gatewayURL: String, token: String, environment: [String: String] = Settings.environment) async throws -> LazyReplica? {
        if noReplica { return nil }
        guard let (identity, path) = try? Self.file(gatewayURL: gatewayURL, token: token, environment: environment) else { return nil }
        return try await LazyReplica.open(path: path, identity: identity, limits: try limits(environment: environment))
    }

    /// Whose replica of which gateway, and its file, for the token's subject.
    static func file(
        gatewayURL: String, token: String, environment: [String: String] = Settings.environment
    ) throws -> (identity: ReplicaIdentity, path: String) {
        let identity = ReplicaIdentity(gatewayURL: gatewayURL, subject: try subject(ofToken: token))
        return (identity, Replica.path(for: identity, dataDirectory: StoreLocation.dataDirectory(environment: environment)))
    }

    /// The `sub` claim of a JWT, read without verifying it (the gateway verifies; this only
    /// names the replica file so two subjects' records are never mixed).
    static func subject(ofToken token: String) throws -> String {
        guard let sub = RemoteGatewayOptions.claims(ofToken: token)?["sub"] as? String, !sub.isEmpty else {
            throw BedsideError(.badRequest, "The token is not a JWT with a subject, so Bedside cannot tell whose replica to use.")
        }
        return sub
    }
}

/// A replica opened on first write: reads see nothing until the file exists. An existing
/// file is opened, and so checked, at once: a foreign or corrupt one is refused up front.
///
/// Opening a replica reads, migrates and may create a SQLite file, so it never runs on the
/// cooperative pool: it runs on one serial queue, which also makes two concurrent first
/// writes open the file once.
final class LazyReplica: AnswerReplica, Sendable {
    let location: String
    let identity: ReplicaIdentity
    let limits: ReplicaLimits
    private let opened: Locked<Replica?>
    /// Where replica files are opened (and migrated): off the cooperative pool, one at a time.
    private static let opener = DispatchQueue(label: "bedside.replica.open")

    private init(location: String, identity: ReplicaIdentity, limits: ReplicaLimits, opened: Replica?) {
        self.location = location
        self.identity = identity
        self.limits = limits
        self.opened = Locked(opened)
    }

    /// The replica at `path`, opened (and checked) now if its file exists and is not empty.
    static func open(path: String, identity: ReplicaIdentity, limits: ReplicaLimits) async throws -> LazyReplica {
        let existing = try await onOpener {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
            guard let size, size > 0 else { return nil as Replica? }
            return try Replica.open(path: path, identity: identity, limits: limits)
        }
        return LazyReplica(location: path, identity: identity, limits: limits, opened: existing)
    }

    /// Runs blocking file work on `opener` and resumes the caller with its result.
    private static func onOpener<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            opener.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private var existing: Replica? { opened.current }

    private func writable() async throws -> Replica {
        if let replica = existing { return replica }
        return try await Self.onOpener { [self] in
            // On the serial queue: a second caller finds the first one's replica here.
            if let replica = opened.current { return replica }
            let replica = try Replica.open(path: location, identity: identity, limits: limits)
            opened.withLock { $0 = replica }
            return replica
        }
    }

    func record(_ answer: Answer) async throws { try await writable().record(answer) }
    func record(_ source: SourceDocument, indexVersion: Int) async throws { try await writable().record(source, indexVersion: indexVersion) }
    func holdsSource(for citation: Citation) async throws -> Bool { try await existing?.holdsSource(for: citation) ?? false }
    func latestAnswer(question: String) async throws -> Answer? { try await existing?.latestAnswer(question: question) }
    func answer(id: String) async throws -> Answer? { try await existing?.answer(id: id) }
    func history(query: String?, limit: Int) async throws -> [HistoryEntry] { try await existing?.history(query: query, limit: limit) ?? [] }
    func source(chunkID: Int64) async throws -> SourceDocument? { try await existing?.source(chunkID: chunkID) }
}
