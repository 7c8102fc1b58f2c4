/// Hides the secrets in URLs and connection strings before they are shown: the
/// `user:password@` of every URL, secret query parameters (`?password=`, `?token=`, …)
/// and libpq `key=value` passwords (`host=db password='a b'`).
///
/// Parsed by hand: a password may hold `/`, `#`, `?`, `@`, `:` or a space (a PostgreSQL
/// password often does), and Foundation's URL parser then fails or splits the URL in the
/// wrong place, so the password would be shown whole. Here the user information ends at
/// the last `@` after `://` (a host holds no `@`), so whatever the password holds is
/// hidden. When in doubt, more is hidden rather than less: a URL whose path or query holds
/// an `@` after a `host:port` shows `***@` up to it, which is wrong only on screen.
public enum SecretRedaction {
    /// What a hidden secret is shown as.
    public static let mask = "***"

    /// URL query parameter names whose values are secrets.
    static let secretNames: Set<String> = ["password", "api_key", "apikey", "key", "token", "access_token", "secret"]
    /// libpq `key=value` names whose values are secrets.
    static let libpqSecretNames: Set<String> = ["password", "sslpassword"]

    /// `text` (one URL, a connection string or a message quoting them) with every URL's
    /// user information replaced by `***`, and every secret parameter's value too; each of
    /// `secrets` (four characters or more) is replaced wherever it appears.
    public static func redact(_ text: String, secrets: [String] = []) -> String {
        var out = secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: mask) }
        // Most text (a log line's fields) holds neither `@` nor `=`: one scan each, no copy.
        if out.utf8.contains(UInt8(ascii: "@")) { out = userInformation(out) }
        if out.utf8.contains(UInt8(ascii: "=")) { out = parameters(out) }
        return out
    }

    /// Every `scheme://user:password@host` in `text` as `scheme://***@host`.
    static func userInformation(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "://") {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            // The URL cannot reach past the end of its line or the next URL.
            let limit = [rest.firstIndex(where: \.isNewline), rest.range(of: "://")?.lowerBound].compactMap { $0 }.min() ?? rest.endIndex
            guard let at = rest[..<limit].lastIndex(of: "@") else { continue }
            let userinfo = rest[..<at]
            // `host/path@x`: an `@` in the path of a URL whose authority is a bare host name,
            // with no user information (a user's name and password never hold a `/` then).
            if let cut = userinfo.firstIndex(where: { "/?#".contains($0) }), !userinfo[..<cut].contains(where: { $0 == ":" || $0 == "@" }) {
                continue
            }
            out += mask
            rest = rest[at...]
        }
        return out + rest
    }

    /// `password=…`, `token=…` and the like (as URL query parameters or libpq `key=value`
    /// pairs) with their values replaced by `***`. A quoted libpq value (`'a b\' c'`) is
    /// hidden to its closing quote; otherwise to the next space, `&` or `"`.
    static func parameters(_ text: String) -> String {
        let chars = Array(text)
        var out: [Character] = []
        out.reserveCapacity(chars.count)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            out.append(c)
            i += 1
            guard c == "=" else { continue }
            // The name before `=` (spaces around `=` are allowed in libpq strings).
            var end = out.count - 1
            while end > 0, out[end - 1] == " " { end -= 1 }
            var start = end
            while start > 0, out[start - 1].isLetter || out[start - 1] == "_" { start -= 1 }
            // In a URL query (after `?` or `&`) every secret name counts; elsewhere only
            // libpq's `password` (and `sslpassword`), so prose such as "key=value" stays.
            guard start < end else { continue }
            let name = String(out[start..<end]).lowercased()
            let inQuery = start > 0 && (out[start - 1] == "?" || out[start - 1] == "&")
            let inText = start == 0 || " \t;\"'(".contains(out[start - 1])
            guard (inQuery && secretNames.contains(name)) || (inText && libpqSecretNames.contains(name)) else { continue }
            while i < chars.count, chars[i] == " " {
                out.append(" ")
                i += 1
            }
            guard i < chars.count else { break }
            if chars[i] == "'" {
                i += 1
                while i < chars.count, chars[i] != "'" { i += chars[i] == "\\" ? 2 : 1 }
                i = min(i + 1, chars.count)
                out += "'" + mask + "'"
            } else {
                let from = i
                while i < chars.count, !(chars[i].isWhitespace || chars[i] == "&" || chars[i] == "\"") { i += 1 }
                if i > from { out += mask }
            }
        }
        return String(out)
    }
}
