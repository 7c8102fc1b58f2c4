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
    var flags: [String: String] {
        var f: [String: String] = [:]
        if let maxMB { f[Self.maxMBKey.dotted] = String(maxMB) }
        if let maxAge { f[Self.maxAgeKey.dotted] = maxAge }
        return f
    }

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
        guard let subject = try? Self.subject(ofToken: token) else { return nil }
        let identity = ReplicaIdentity(gatewayURL: gatewayURL, subject: subject)
        let path = Replica.path(for: identity, dataDirectory: StoreLocation.dataDirectory(environment: environment))
        return try await LazyReplica.open(path: path, identity: identity, limits: try limits(environment: environment))
    }

    /// Opens (creating when missing) the replica of `gatewayURL` for the token's subject.
    func open(gatewayURL: String, token: String, environment: [String: String] = Settings.environment) throws -> Replica {
        let identity = ReplicaIdentity(gatewayURL: gatewayURL, subject: try Self.subject(ofToken: token))
        let path = Replica.path(for: identity, dataDirectory: StoreLocation.dataDirectory(environment: environment))
        return try Replica.open(path: path, identity: identity, limits: try limits(environment: environment))
    }

    static func path(gatewayURL: String, token: String, environment: [String: String] = Settings.environment) throws -> String {
        let identity = ReplicaIdentity(gatewayURL: gatewayURL, subject: try subject(ofToken: token))
        return Replica.path(for: identity, dataDirectory: StoreLocation.dataDirectory(environment: environment))
    }

    /// The `sub` claim of a JWT, read without verifying it (the gateway verifies; this only
    /// names the replica file so two subjects' records are never mixed).
    static func subject(ofToken token: String) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        func bad() -> BedsideError {
            BedsideError(.badRequest, "The token is not a JWT with a subject, so Bedside cannot tell whose replica to use.")
        }
        guard parts.count == 3 else { throw bad() }
        var b64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let sub = object["sub"] as? String, !sub.isEmpty
        else { throw bad() }
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
    let path: String
    let identity: ReplicaIdentity
    let limits: ReplicaLimits
    private let opened: Locked<Replica?>
    /// Where replica files are opened (and migrated): off the cooperative pool, one at a time.
    private static let opener = DispatchQueue(label: "bedside.replica.open")

    private init(path: String, identity: ReplicaIdentity, limits: ReplicaLimits, opened: Replica?) {
        self.path = path
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
        return LazyReplica(path: path, identity: identity, limits: limits, opened: existing)
    }

    /// Runs blocking file work on `opener` and resumes the caller with its result.
    private static func onOpener<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            opener.async { continuation.resume(with: Result { try work() }) }
        }
    }

    var location: String { path }

    private var existing: Replica? { opened.current }

    private func writable() async throws -> Replica {
        if let replica = existing { return replica }
        return try await Self.onOpener { [self] in
            // On the serial queue: a second caller finds the first one's replica here.
            if let replica = opened.current { return replica }
            let replica = try Replica.open(path: path, identity: identity, limits: limits)
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
