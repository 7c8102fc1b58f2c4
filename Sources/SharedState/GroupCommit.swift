import Core

/// Group commit: each caller waits until its row is durable; rows that arrive while one
/// commit runs go together into the next, so N concurrent callers share one commit (one
/// fsync on SQLite, one transaction on PostgreSQL) instead of paying one each.
///
/// The commits are driven by callbacks, not a task: SQLite's writer starts each commit on
/// its own queue and calls back there, so a row appended from an event loop costs two
/// thread hand-offs (to the writer, back to the loop) instead of four through the task pool.
/// An idle virtual CPU takes long to wake, so each hand-off saved shows in the latency.
public final class GroupCommit<Row: Sendable>: Sendable {
    /// Writes `rows` in order in one commit and returns their ids, in the same order.
    public typealias Commit = @Sendable ([Row]) async throws -> [Int64]
    /// Starts that commit and calls `done` with the ids (on any thread) once it is durable.
    public typealias StartCommit = @Sendable (_ rows: [Row], _ done: @escaping @Sendable (Result<[Int64], any Error>) -> Void) -> Void

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
    private let start: StartCommit

    /// - Parameter maxBatch: rows in one commit at most (the rest wait for the next).
    public init(maxBatch: Int = .max, start: @escaping StartCommit) {
        self.maxBatch = max(1, maxBatch)
        self.start = start
    }

    /// The same with an async commit, run in a task.
    public convenience init(maxBatch: Int = .max, commit: @escaping Commit) {
        self.init(maxBatch: maxBatch) { rows, done in
            Task {
                do { done(.success(try await commit(rows))) } catch { done(.failure(error)) }
            }
        }
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
    /// is done, on the thread the commit called back on.
    public func append(_ row: Row, done: @escaping Completion) {
        let starts = state.withLock { s -> Bool in
            s.pending.append(Pending(row: row, done: done))
            if s.flushing { return false }
            s.flushing = true
            return true
        }
        if starts { commitNext() }
    }

    /// Commits what is pending, then looks again; the flush ends when nothing is.
    private func commitNext() {
        let batch = state.withLock { s -> [Pending] in
            let n = min(s.pending.count, maxBatch)
            let b = Array(s.pending.prefix(n))
            s.pending.removeFirst(n)
            if b.isEmpty { s.flushing = false }
            return b
        }
        if batch.isEmpty { return }
        start(batch.map(\.row)) { [self] result in
            switch result {
            case .success(let ids) where ids.count == batch.count:
                state.withLock { s in
                    s.commits += 1
                    s.rows += ids.count
                }
                for (p, id) in zip(batch, ids) { p.done(.success(id)) }
            case .success(let ids):
                // Every caller hears back, even from a commit that lost count: a row left
                // without an answer would hold its request (and an await) forever.
                let error = BedsideError(.database, "A commit returned \(ids.count) ids for \(batch.count) rows.")
                for p in batch { p.done(.failure(error)) }
            case .failure(let error):
                for p in batch { p.done(.failure(error)) }
            }
            commitNext()
        }
    }
}
