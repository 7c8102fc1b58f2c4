import Core
import Foundation

/// A Bedside API client with the workstation replica behind it: what the console, `ask
/// --gateway` and `sync` use. Everything received is kept in the replica (answers whole,
/// and the documents their citations point at, fetched once); when the gateway cannot be
/// reached, the replica answers instead, and says so.
public struct ReplicatingGateway: Sendable {
    public let client: any BedsideAPI
    public let replica: (any AnswerReplica)?

    public init(client: any BedsideAPI, replica: (any AnswerReplica)?) {
        self.client = client
        self.replica = replica
    }

    /// What `keep` fetched.
    public struct Kept: Sendable, Hashable {
        public var documents = 0
        public var bytes = 0
        public var failures: [BedsideError] = []
        public init() {}
    }

    /// Failures after which the replica is asked instead: the gateway is unreachable, timed
    /// out, dropped the connection, or has no inference and no cached answer.
    public static func isOffline(_ error: BedsideError) -> Bool {
        [.gatewayUnreachable, .timeout, .inferenceUnavailable, .upstream].contains(error.code)
    }

    /// The gateway itself is gone (not merely its inference).
    public static func isUnreachable(_ error: BedsideError) -> Bool {
        error.code == .gatewayUnreachable || (error.code == .timeout && error.detail?.contains("connect") == true)
    }

    /// An answer replayed from the replica: marked cached and stale.
    public static func replayed(_ answer: Answer) -> Answer {
        var a = answer
        a.cached = true
        a.stale = true
        return a
    }

    /// Keeps the answer, then fetches each cited document the replica lacks (or holds an
    /// older text of). Errors are collected, not thrown: keeping is best effort.
    @discardableResult
    public func keep(_ answer: Answer) async -> Kept {
        var kept = Kept()
        guard let replica else { return kept }
        do { try await replica.record(answer) } catch {
            kept.failures.append(Self.bedsideError(error))
            return kept
        }
        var seen = Set<Int64>()
        // A citation with no passage id (a RAG service's text-only citation) carries its whole
        // text in the answer itself: there is no document to fetch.
        for citation in answer.citations + answer.nearestSources where citation.chunkID > 0 && seen.insert(citation.chunkID).inserted {
            if Task.isCancelled { break }
            do {
                if try await replica.holdsSource(for: citation) { continue }
                let document = try await client.source(chunkID: citation.chunkID)
                try await replica.record(document, indexVersion: answer.indexVersion)
                kept.documents += 1
                kept.bytes += document.documentText.utf8.count + document.passage.utf8.count
            } catch {
                let e = Self.bedsideError(error)
                kept.failures.append(e)
                if Self.isUnreachable(e) { break }
            }
        }
        return kept
    }

    /// The replica's newest answer to this question, marked as replayed.
    public func replay(question: String) async -> Answer? {
        guard let replica, let a = try? await replica.latestAnswer(question: question) else { return nil }
        return Self.replayed(a)
    }

    /// Past questions: the gateway's merged with the replica's (no duplicates, newest first);
    /// the replica's alone, with the reason, when the gateway cannot be reached.
    public func history(query: String?, limit: Int, preferReplica: Bool = false) async throws -> (entries: [HistoryEntry], offline: BedsideError?) {
        let local = (try? await replica?.history(query: query, limit: limit)) ?? nil
        if preferReplica, let local {
            return (local, Self.downError(client))
        }
        do {
            let remote = try await client.history(query: query, limit: limit)
            return (Self.merge(remote, local ?? [], limit: limit), nil)
        } catch {
            let e = Self.bedsideError(error)
            if Self.isOffline(e), let local { return (local, e) }
            throw e
        }
    }

    /// A stored answer: from the gateway (and kept), or from the replica when the gateway
    /// cannot be reached (`fromReplica`).
    public func answer(id: String, preferReplica: Bool = false) async throws -> (answer: Answer, offline: BedsideError?) {
        try await fetch(
            preferReplica, remote: { try await client.answer(id: id) }, keep: { try await replica?.record($0) },
            local: { try await replica?.answer(id: id).map(Self.replayed) })
    }

    /// A cited passage in its document: from the gateway (and kept), or from the replica.
    public func source(chunkID: Int64, indexVersion: Int, preferReplica: Bool = false) async throws -> (
        document: SourceDocument, offline: BedsideError?
    ) {
        do {
            return try await fetch(
                preferReplica, remote: { try await client.source(chunkID: chunkID) },
                keep: { try await replica?.record($0, indexVersion: indexVersion) }, local: { try await replica?.source(chunkID: chunkID) })
        } catch let e as BedsideError where Self.isOffline(e) && replica != nil {
            throw BedsideError(e.code, "\(e.message) This passage is not in the replica either.", detail: e.detail)
        }
    }

    /// From the gateway (and kept), or from the replica (`local`): first when `preferReplica`,
    /// else when the gateway cannot be reached, with the reason the replica answered.
    private func fetch<T: Sendable>(
        _ preferReplica: Bool, remote: () async throws -> T, keep: (T) async throws -> Void, local: () async throws -> T?
    ) async throws -> (T, BedsideError?) {
        if preferReplica, let found = try? await local() { return (found, Self.downError(client)) }
        do {
            let fetched = try await remote()
            try? await keep(fetched)
            return (fetched, nil)
        } catch {
            let e = Self.bedsideError(error)
            if Self.isOffline(e), let found = try? await local() { return (found, e) }
            throw e
        }
    }

    public static func downError(_ client: any BedsideAPI) -> BedsideError {
        BedsideError(.gatewayUnreachable, "Cannot reach the gateway at \(client.displayAddress); showing the replica.")
    }

    /// The gateway's entries and the replica's, one per answer id, newest first.
    static func merge(_ remote: [HistoryEntry], _ local: [HistoryEntry], limit: Int) -> [HistoryEntry] {
        var seen = Set<String>()
        var out: [HistoryEntry] = []
        for e in remote + local where seen.insert(e.answerID).inserted { out.append(e) }
        out.sort { $0.createdAt > $1.createdAt }
        return Array(out.prefix(max(1, limit)))
    }

    /// Any error as a `BedsideError` (the client's own, or an internal one wrapping it).
    public static func bedsideError(_ error: any Error) -> BedsideError {
        if let e = error as? BedsideError { return e }
        return BedsideError(.internalError, "Something went wrong talking to the gateway.", detail: String(describing: error))
    }
}
