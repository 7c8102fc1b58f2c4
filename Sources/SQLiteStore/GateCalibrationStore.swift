import Foundation
import GRDB

/// What the relevance gate's self-calibration found on a corpus (`GateCalibration` in
/// Inference): the specificity threshold that best separates the corpus's own answerable
/// pseudo-questions from its unanswerable ones, and how well it does.
///
/// Kept in the `meta` table under `gate_calibration` as JSON (a table of its own would hold
/// one row): a small value that `ingest` rewrites and every pipeline reads. No migration: the
/// `meta` table exists since v1, and a database without the key (made before calibration, or
/// never ingested) has none, so the gate keeps its default.
public struct GateCalibrationRecord: Codable, Sendable, Equatable {
    /// The threshold chosen (clamped to the sane range).
    public var threshold: Double
    /// The best threshold before clamping.
    public var unclamped: Double
    /// Balanced accuracy of `threshold` on the pseudo-questions (0…1).
    public var balancedAccuracy: Double
    /// Balanced accuracy of the gate's fixed default on the same pseudo-questions, for comparison.
    public var defaultAccuracy: Double
    /// Pseudo-questions drawn: answerable (gold = the document drawn from) and unanswerable.
    public var answerable: Int
    public var unanswerable: Int
    /// Answerable pseudo-questions answered, and unanswerable ones refused, at `threshold`.
    public var answered: Int
    public var refused: Int
    /// Documents in the corpus, and the index version it was calibrated on.
    public var documents: Int
    public var indexVersion: Int
    /// Seconds the calibration took.
    public var seconds: Double

    public init(
        threshold: Double, unclamped: Double, balancedAccuracy: Double, defaultAccuracy: Double, answerable: Int, unanswerable: Int,
        answered: Int, refused: Int, documents: Int, indexVersion: Int, seconds: Double
    ) {
        self.threshold = threshold
        self.unclamped = unclamped
        self.balancedAccuracy = balancedAccuracy
        self.defaultAccuracy = defaultAccuracy
        self.answerable = answerable
        self.unanswerable = unanswerable
        self.answered = answered
        self.refused = refused
        self.documents = documents
        self.indexVersion = indexVersion
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case threshold, unclamped, answerable, unanswerable, answered, refused, documents, seconds
        case balancedAccuracy = "balanced_accuracy"
        case defaultAccuracy = "default_accuracy"
        case indexVersion = "index_version"
    }
}

extension BedsideDatabase {
    static let gateCalibrationKey = "gate_calibration"

    /// The stored calibration, or nil when there is none (or it cannot be read: the gate then
    /// keeps its default rather than failing every question).
    public func gateCalibration() async throws -> GateCalibrationRecord? {
        let text = try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.gateCalibrationKey])
        }
        guard let text else { return nil }
        return try? JSONDecoder().decode(GateCalibrationRecord.self, from: Data(text.utf8))
    }

    /// Replaces the stored calibration.
    public func saveGateCalibration(_ record: GateCalibrationRecord) async throws {
        let text = String(decoding: try JSONEncoder.sorted.encode(record), as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [Self.gateCalibrationKey, text])
        }
    }

    /// Every document id, in id order (calibration draws its pseudo-questions from them).
    public func documentIDs() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT id FROM document ORDER BY id") }
    }
}
