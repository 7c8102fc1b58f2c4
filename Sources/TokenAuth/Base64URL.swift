/// Strict base64url (RFC 4648 §5, no padding) as JWS requires.
///
/// Stricter than most decoders on purpose: padding, whitespace, characters outside the
/// alphabet and non-zero trailing bits are refused, so that one signature has exactly one
/// spelling and a token cannot be altered without changing its signature bytes.
package enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Decoded bytes, or nil when `input` is not canonical unpadded base64url.
    package static func decode(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        input.withUnsafeBufferPointer { decode($0) }
    }

    package static func decode(_ input: [UInt8]) -> [UInt8]? {
        input.withUnsafeBufferPointer { decode($0) }
    }

    package static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = input.count
        if n % 4 == 1 { return nil }
        let outCount = n * 3 / 4
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: outCount) { buffer, initialized in
            table.withUnsafeBufferPointer { t in
                var acc: UInt32 = 0
                var bits = 0
                var o = 0
                for c in input {
                    let v = t[Int(c)]
                    if v == 0xFF {
                        failed = true
                        break
                    }
                    acc = (acc << 6) | UInt32(v)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        buffer[o] = UInt8(truncatingIfNeeded: acc >> UInt32(bits))
                        o += 1
                    }
                }
                // Leftover bits must be zero (canonical encoding).
                if !failed, bits > 0, acc & ((1 << UInt32(bits)) - 1) != 0 { failed = true }
                initialized = failed ? 0 : o
            }
        }
        return failed ? nil : out
    }

    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var acc: UInt32 = 0
        var bits = 0
        for b in bytes {
            acc = (acc << 8) | UInt32(b)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int((acc >> UInt32(bits)) & 0x3F)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((acc << UInt32(6 - bits)) & 0x3F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
