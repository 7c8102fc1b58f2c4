import Core

/// Group commit: each caller waits until its row is durable; rows that arrive while one
/// commit runs go together into the next, so N concurrent callers share one commit (one
/// fsync on SQLite, one transaction on PostgreSQL) instead of paying one each.
public final class GroupCommit<Row: Sendable>: Sendable {
    /// Writes `rows` in order in one commit and returns their ids, in the same order.
    public typealias Commit = @Sendable ([Row]) async throws -> [Int64]

    /// Who waits for a row: a task, or a callback (code on an event loop that cannot await).
    public typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    private struct Pending {
        var row: Row
        var done: Completion
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
        var commits = 0
        var rows = 0
    }

    private let state = Locked(State())
    private let maxBatch: Int
    private let commit: Commit

    /// - Parameter maxBatch: rows in one commit at most (the rest wait for the next).
    public init(maxBatch: Int = .max, commit: @escaping Commit) {
        self.maxBatch = max(1, maxBatch)
        self.commit = commit
    }

    /// Commits so far and the rows they held.
    public var committed: (transactions: Int, rows: Int) { state.withLock { ($0.commits, $0.rows) } }

    /// Queues `row` and returns its id once the commit holding it is done.
    public func append(_ row: Row) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            append(row) { continuation.resume(with: $0) }
        }
    }

    /// Queues `row`; `done` is called with its id (or the error) once the commit holding it
    /// is done, on the committing task.
    public func append(_ row: Row, done: @escaping Completion) {
        let start = state.withLock { s -> Bool in
            s.pending.append(Pending(row: row, done: done))
            if s.flushing { return false }
            s.flushing = true
            return true
        }
        if start { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Pending] in
                let n = min(s.pending.count, maxBatch)
                let b = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                if b.isEmpty { s.flushing = false }
                return b
            }
            if batch.isEmpty { return }
            do {
                let ids = try await commit(batch.map(\.row))
                state.withLock { s in
                    s.commits += 1
                    s.rows += ids.count
                }
                for (p, id) in zip(batch, ids) { p.done(.success(id)) }
            } catch {
                for p in batch { p.done(.failure(error)) }
            }
        }
    }
}
