import Foundation

/// Where a listing continues: after the answer with this creation time and id.
public struct AnswerListPosition: Sendable, Hashable {
    public var createdAt: Double
    public var id: String

    public init(createdAt: Double, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// An opaque token for the wire: base64url of `created_at|id`.
    public var cursor: String {
        Data("\(createdAt)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Nil when the token is not one `cursor` made.
    public init?(cursor: String) {
        var b64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard cursor.count <= 400, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8),
            let bar = text.firstIndex(of: "|"), let at = Double(text[..<bar]), at.isFinite
        else { return nil }
        let id = String(text[text.index(after: bar)...])
        guard !id.isEmpty else { return nil }
        self.init(createdAt: at, id: id)
    }
}
