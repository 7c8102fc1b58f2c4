import Core

/// The inference status (index version and model, part of every cache key), reused for
/// a short time so that the cached-answer path does not ask inference on every request.
///
/// Concurrent callers share one refresh. When a refresh fails, the last known status keeps
/// being used for another period, so that requests go on to inference (and its circuit
/// breaker) and can be answered from the stale cache instead of failing here.
final class StatusCache: Sendable {
    private struct State {
        var status: InferenceStatus?
        var fetchedAt: Duration = .zero
        var refresh: Task<InferenceStatus, any Error>?
    }

    private let state = Locked(State())
    private let fetch: @Sendable () async throws -> InferenceStatus
    private let ttl: Duration
    private let uptime: @Sendable () -> Duration

    init(ttl: Duration, uptime: @escaping @Sendable () -> Duration, fetch: @escaping @Sendable () async throws -> InferenceStatus) {
        self.ttl = ttl
        self.uptime = uptime
        self.fetch = fetch
    }

    /// The last status fetched within the period, or a fresh one.
    func current() async throws -> InferenceStatus {
        let now = uptime()
        let (known, pending): (InferenceStatus?, Task<InferenceStatus, any Error>?) = state.withLock { s in
            if let st = s.status, now - s.fetchedAt < ttl { return (st, nil) }
            if let t = s.refresh { return (nil, t) }
            let t = Task { [fetch] in try await fetch() }
            s.refresh = t
            return (nil, t)
        }
        if let known { return known }
        guard let pending else { throw BedsideError(.internalError, "No status refresh.") }
        do {
            let fresh = try await pending.value
            record(fresh, task: pending)
            return fresh
        } catch {
            let last: InferenceStatus? = state.withLock { s in
                if s.refresh == pending { s.refresh = nil }
                if s.status != nil { s.fetchedAt = uptime() }
                return s.status
            }
            if let last { return last }
            throw error
        }
    }

    /// The status when it was fetched within the period, without waiting; nil otherwise.
    func fresh() -> InferenceStatus? {
        let now = uptime()
        return state.withLock { s in
            guard let st = s.status, now - s.fetchedAt < ttl else { return nil }
            return st
        }
    }

    /// Records a status obtained elsewhere (by `/readyz`).
    func record(_ status: InferenceStatus, task: Task<InferenceStatus, any Error>? = nil) {
        let now = uptime()
        state.withLock { s in
            s.status = status
            s.fetchedAt = now
            if let task, s.refresh == task { s.refresh = nil }
        }
    }
}
