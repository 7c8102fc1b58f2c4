import Core
import Foundation

/// The oracle for the `POST /v1/query` body decoder (`QueryRequest.decode(body:)`): it never
/// crashes, it is deterministic, it returns a request that passes `validated()` unchanged or
/// a 400-class error (`bad_request` or `invalid_question`), and an accepted request encoded
/// as the wire encodes it decodes again to the same request.
package enum QueryOracle {
    /// nil when every property holds, else what failed. `decodes` is how many times the body
    /// is decoded to compare the results (dictionary order differs between instances, so a
    /// replay decodes more often than the fuzzer does).
    package static func check(_ bytes: [UInt8], decodes: Int = 2) -> String? {
        let first = Result { () throws(BedsideError) in try QueryRequest.decode(body: bytes) }
        // A dictionary's order depends on where its storage lives: holding a few live ones
        // between decodes moves the next decode's filters elsewhere, as a busy server would.
        var ballast: [[String: String]] = []
        for n in 1..<max(2, decodes) {
            ballast.append(Dictionary(uniqueKeysWithValues: (0..<(n % 8 + 1)).map { ("\($0)", "") }))
            let again = Result { () throws(BedsideError) in try QueryRequest.decode(body: bytes) }
            guard first == again else { return "decoding is not deterministic: \(first) then \(again)" }
        }
        withExtendedLifetime(ballast) {}
        switch first {
        case .failure(let error):
            guard error.code == .badRequest || error.code == .invalidQuestion else {
                return "a body was refused with \(error.code.rawValue), not a 400-class code: \(error.message)"
            }
            return nil
        case .success(let request):
            let again: QueryRequest
            do { again = try request.validated() } catch { return "an accepted request fails validated(): \(error)" }
            guard again == request else { return "validated() changes an accepted request: \(request) became \(again)" }
            let encoded: Data
            do { encoded = try encoder.encode(request) } catch { return "an accepted request cannot be encoded: \(error)" }
            let round = Result { () throws(BedsideError) in try QueryRequest.decode(body: Array(encoded)) }
            guard round == .success(request) else {
                return
                    "an accepted request does not survive encoding: \(request) encoded as \(String(decoding: encoded, as: UTF8.self)) decodes as \(round)"
            }
            return nil
        }
    }

    private static let encoder = WireCoding.encoder()
}
