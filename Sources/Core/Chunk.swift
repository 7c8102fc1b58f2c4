/// A passage of a document: the unit that is indexed, retrieved and cited.
///
/// `start`/`end` are UTF-8 byte offsets into `Document.text`, so that
/// `document.text.utf8[start..<end]` is exactly `text`: a viewer can highlight the
/// cited passage inside its document without searching for it.
public struct Chunk: Codable, Sendable, Hashable {
    /// Row id in the store; 0 before the chunk is saved.
    public var id: Int64
    public var documentID: String
    /// Position of the chunk inside its document (0-based).
    public var ordinal: Int
    /// Heading path, outermost first (`["Sepsis", "Initial management"]`).
    public var sectionPath: [String]
    public var text: String
    public var start: Int
    public var end: Int

    public init(id: Int64 = 0, documentID: String, ordinal: Int, sectionPath: [String], text: String, start: Int, end: Int) {
        self.id = id
        self.documentID = documentID
        self.ordinal = ordinal
        self.sectionPath = sectionPath
        self.text = text
        self.start = start
        self.end = end
    }

    /// The section path joined for display: `Sepsis › Initial management`.
    public var section: String { sectionPath.joined(separator: " › ") }

    enum CodingKeys: String, CodingKey {
        case id, ordinal, text, start, end
        case documentID = "document_id"
        case sectionPath = "section_path"
    }
}

extension String {
    /// The substring between two UTF-8 byte offsets, or nil when they are out of range
    /// or do not fall on character boundaries.
    public func utf8Slice(_ start: Int, _ end: Int) -> String? {
        let u = utf8
        guard start >= 0, end >= start, end <= u.count else { return nil }
        let s = u.index(u.startIndex, offsetBy: start)
        let e = u.index(s, offsetBy: end - start)
        guard s.samePosition(in: unicodeScalars) != nil, e.samePosition(in: unicodeScalars) != nil else { return nil }
        return String(self[s..<e])
    }
}
