/// Reads the common, simple shape of a JWT payload without Foundation's `JSONDecoder`,
/// which alone costs several times the HMAC check.
///
/// It only answers when it is sure to agree with `JSONDecoder` decoding `TokenClaims`:
/// a flat object whose registered claims have the expected types, plain strings (no
/// escapes), plain numbers, registered names at most once, and other members that are
/// plain strings, numbers, booleans or null. Anything else returns nil and the caller
/// decodes with `JSONDecoder`, so both verification paths give the same verdict on every input.
package enum FastClaimsParser {
    package static func parse(_ bytes: [UInt8]) -> TokenClaims? {
        bytes.withUnsafeBufferPointer { buffer in
            var p = Parser(bytes: buffer)
            return p.claims()
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        /// Registered claim names, as bits of `seen`.
        private enum Claim: UInt8 {
            case sub = 1, iss = 2, jti = 4, aud = 8, exp = 16, nbf = 32, iat = 64
        }

        mutating func claims() -> TokenClaims? {
            var c = TokenClaims(sub: nil, exp: nil)
            var seen: UInt8 = 0
            space()
            guard take(0x7B) else { return nil }  // {
            space()
            if take(0x7D) { return end() ? c : nil }
            while true {
                space()
                guard let key = plainString() else { return nil }
                space()
                guard take(0x3A) else { return nil }  // :
                space()
                if let claim = registered(key) {
                    guard seen & claim.rawValue == 0 else { return nil }  // a repeated registered claim
                    seen |= claim.rawValue
                    switch claim {
                    case .sub: guard let v = stringOrNull() else { return nil }; c.sub = v.value
                    case .iss: guard let v = stringOrNull() else { return nil }; c.iss = v.value
                    case .jti: guard let v = stringOrNull() else { return nil }; c.jti = v.value
                    case .exp: guard let v = numberOrNull() else { return nil }; c.exp = v.value
                    case .nbf: guard let v = numberOrNull() else { return nil }; c.nbf = v.value
                    case .iat: guard let v = numberOrNull() else { return nil }; c.iat = v.value
                    case .aud: guard audience(&c) else { return nil }
                    }
                } else {
                    // `roles` is an array for JSONDecoder to read (and to refuse when it is not one).
                    if isRoles(key) { return nil }
                    guard skipScalar() else { return nil }
                }
                space()
                if take(0x2C) { continue }  // ,
                guard take(0x7D) else { return nil }
                return end() ? c : nil
            }
        }

        private func isRoles(_ key: Range<Int>) -> Bool {
            key.count == 5 && Array(bytes[key]) == Array("roles".utf8)
        }

        private func registered(_ key: Range<Int>) -> Claim? {
            guard key.count == 3 else { return nil }
            let a = bytes[key.lowerBound], b = bytes[key.lowerBound + 1], c = bytes[key.lowerBound + 2]
            switch (a, b, c) {
            case (0x73, 0x75, 0x62): return .sub  // sub
            case (0x69, 0x73, 0x73): return .iss  // iss
            case (0x6A, 0x74, 0x69): return .jti  // jti
            case (0x61, 0x75, 0x64): return .aud  // aud
            case (0x65, 0x78, 0x70): return .exp  // exp
            case (0x6E, 0x62, 0x66): return .nbf  // nbf
            case (0x69, 0x61, 0x74): return .iat  // iat
            default: return nil
            }
        }

        mutating func audience(_ c: inout TokenClaims) -> Bool {
            if let one = plainString() {
                guard let s = string(one) else { return false }
                c.aud = .init([s])
                return true
            }
            if literal(Self.null) { c.aud = nil; return true }
            guard take(0x5B) else { return false }  // [
            var values: [String] = []
            space()
            if take(0x5D) { c.aud = .init(values); return true }
            while true {
                space()
                guard let r = plainString(), let s = string(r) else { return false }
                values.append(s)
                space()
                if take(0x2C) { continue }
                guard take(0x5D) else { return false }
                c.aud = .init(values)
                return true
            }
        }

        mutating func end() -> Bool {
            space()
            return i == bytes.count
        }

        mutating func take(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        mutating func space() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        static let null: [UInt8] = Array("null".utf8)
        static let yes: [UInt8] = Array("true".utf8)
        static let no: [UInt8] = Array("false".utf8)

        mutating func literal(_ word: [UInt8]) -> Bool {
            guard i + word.count <= bytes.count else { return false }
            for k in 0..<word.count where bytes[i + k] != word[k] { return false }
            i += word.count
            return true
        }

        /// The byte range of a string without escapes or control characters, valid UTF-8.
        mutating func plainString() -> Range<Int>? {
            guard i < bytes.count, bytes[i] == 0x22 else { return nil }
            var j = i + 1
            var ascii = true
            while j < bytes.count {
                let c = bytes[j]
                if c == 0x22 {
                    let r = (i + 1)..<j
                    if !ascii, String(validating: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self) == nil { return nil }
                    i = j + 1
                    return r
                }
                if c == 0x5C || c < 0x20 { return nil }
                if c >= 0x80 { ascii = false }
                j += 1
            }
            return nil
        }

        func string(_ r: Range<Int>) -> String? {
            String(validating: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
        }

        mutating func stringOrNull() -> (value: String?, Void)? {
            if let r = plainString() {
                guard let s = string(r) else { return nil }
                return (s, ())
            }
            if literal(Self.null) { return (nil, ()) }
            return nil
        }

        mutating func numberOrNull() -> (value: Double?, Void)? {
            if literal(Self.null) { return (nil, ()) }
            guard let d = plainNumber(), d.isFinite else { return nil }
            return (d, ())
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, at most 24 characters. Plain
        /// integers up to 15 digits are converted directly (exactly); others through `Double(_:)`.
        mutating func plainNumber() -> Double? {
            let start = i
            var j = i
            var integer = true
            func digits(_ j: inout Int) -> Int {
                let s = j
                while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
                return j - s
            }
            let negative = j < bytes.count && bytes[j] == 0x2D
            if negative { j += 1 }
            guard j < bytes.count else { return nil }
            let intStart = j
            if bytes[j] == 0x30 { j += 1 } else if digits(&j) == 0 { return nil }
            let intEnd = j
            if j < bytes.count, bytes[j] == 0x2E {
                j += 1
                integer = false
                guard digits(&j) > 0 else { return nil }
            }
            if j < bytes.count, bytes[j] == 0x65 || bytes[j] == 0x45 {
                j += 1
                integer = false
                if j < bytes.count, bytes[j] == 0x2B || bytes[j] == 0x2D { j += 1 }
                guard digits(&j) > 0 else { return nil }
            }
            guard j - start <= 24 else { return nil }
            i = j
            if integer, intEnd - intStart <= 15 {
                var n: Int64 = 0
                for k in intStart..<intEnd { n = n * 10 + Int64(bytes[k] - 0x30) }
                return negative ? -Double(n) : Double(n)
            }
            return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self))
        }

        /// An unregistered member's value: plain string, number, true, false or null.
        mutating func skipScalar() -> Bool {
            if plainString() != nil || plainNumber() != nil { return true }
            return literal(Self.yes) || literal(Self.no) || literal(Self.null)
        }
    }
}
