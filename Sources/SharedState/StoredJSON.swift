import Core
import Foundation

/// The JSON kept in `body` columns (answers, cache entries), in SQLite and PostgreSQL alike:
/// ISO 8601 dates and sorted keys, so a row reads the same from either store.
public enum StoredJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try WireCoding.encoder(.stored).encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try WireCoding.decoder().decode(type, from: Data(text.utf8))
    }
}

extension JSONEncoder {
    /// Deterministic output (sorted keys), so equal values hash equally.
    public static var sorted: JSONEncoder { WireCoding.encoder() }
}
