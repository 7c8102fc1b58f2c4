import Core

/// A source requested from the gateway but not yet shown.
struct PendingSource: Hashable, Sendable {
    var chunkID: Int64
    var citationNumber: Int
    var citations: [Citation]
    /// The passage, when the request was for a citation (its offsets win over the document's).
    var highlight: Range<Int>?
}
