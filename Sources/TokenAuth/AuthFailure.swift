import Core

/// Why a request was not authenticated. The description goes into the 401 body and the
/// `WWW-Authenticate` header; it never contains the token.
public struct AuthFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No `Authorization` header (RFC 6750: no error code in the challenge).
        case missing
        /// A header that is not `Bearer <token>`.
        case malformedHeader
        case tooLarge
        case malformed
        case unsupportedAlgorithm
        case unknownKey
        case badSignature
        case expired
        case notYetValid
        case issuedInFuture
        case wrongIssuer
        case wrongAudience
        case missingClaim
        /// Revoked with `bedside token revoke`.
        case revoked
        /// Lives longer than the gateway's maximum token lifetime.
        case lifetimeTooLong
    }

    public var kind: Kind
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }

    /// The `WWW-Authenticate` challenge for this failure.
    public var challenge: String {
        if kind == .missing { return #"Bearer realm="bedside""# }
        let code = kind == .malformedHeader ? "invalid_request" : "invalid_token"
        let safe = reason.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\\", with: "/")
        return #"Bearer realm="bedside", error="\#(code)", error_description="\#(safe)""#
    }

    package var bedsideError: BedsideError {
        BedsideError(
            .unauthorized,
            kind == .missing
                ? "This request needs a bearer token: send Authorization: Bearer <token> (create one with `bedside token create`)." : reason)
    }
}
