import Foundation
import Testing

@testable import Core

/// Issue 19 finding 6: a URL's password is hidden whatever characters it holds.
struct SecretRedactionTests {
    /// Passwords built from fragments that appear nowhere else, joined by the characters
    /// that break URL parsers: no fragment may survive.
    static let passwords = [
        "pwA/pwB", "pwA#pwB", "pwA?pwB", "pwA@pwB", "pwA:pwB", "pwA pwB", "pwA/pwB#pwC?pwD@pwE:pwF pwG", "Xy/9#pwA",
        "pwA@/pwB", "pwA%2FpwB",
    ]

    static func fragments(_ password: String) -> [String] {
        password.split(whereSeparator: { "/#?@: ".contains($0) }).map(String.init).filter { $0.count >= 3 }
    }

    static let shapes = [
        "postgres://bedside:PW@db.example:5432/bedside", "postgresql://bedside:PW@127.0.0.1/bedside?sslmode=require",
        "http://user:PW@127.0.0.1:9/v1", "https://user:PW@llm.example/v1/chat", "grpc://user:PW@[::1]:50051",
        "postgres://bedside:PW@/bedside?host=/run/postgresql",
    ]

    @Test func everyPasswordShapeIsHidden() {
        for password in Self.passwords {
            for shape in Self.shapes {
                let url = shape.replacingOccurrences(of: "PW", with: password)
                for text in [url, "got \"\(url)\"", "Cannot reach \(url): refused", "a (\(url)) b\nnext line"] {
                    let shown = SecretRedaction.redact(text)
                    for fragment in Self.fragments(password) {
                        #expect(!shown.contains(fragment), "\(fragment) of \(password.debugDescription) shown: \(shown)")
                    }
                    #expect(shown.contains("***@"), "\(shown)")
                }
            }
        }
    }

    @Test func theHostAndPathStayReadable() {
        #expect(SecretRedaction.redact("postgres://bedside:pwA/pwB#pwC@db.example:5432/app") == "postgres://***@db.example:5432/app")
        #expect(SecretRedaction.redact("http://user:Xy/9#key@host/v1") == "http://***@host/v1")
        #expect(SecretRedaction.redact("http://h/v1?model=a&token=t") == "http://h/v1?model=a&token=***")
        #expect(SecretRedaction.redact("http://host/v1/models") == "http://host/v1/models")
        // An `@` in the path of a URL without user information is not one.
        #expect(SecretRedaction.redact("http://host/users/@me") == "http://host/users/@me")
        #expect(ConfigRedaction.url("http://user:pw@h:1/v1") == "http://***@h:1/v1")
        // Prose that looks like a parameter stays.
        #expect(SecretRedaction.redact("A filter is key=value (got \"x\").") == "A filter is key=value (got \"x\").")
    }

    @Test func queryAndLibpqPasswordsAreHidden() {
        #expect(SecretRedaction.redact("postgres://u@h/db?password=pwA&sslmode=require") == "postgres://***@h/db?password=***&sslmode=require")
        #expect(SecretRedaction.redact("host=db user=bedside password=pwA dbname=x") == "host=db user=bedside password=*** dbname=x")
        #expect(SecretRedaction.redact("host=db password = 'pwA pwB\\' pwC' dbname=x") == "host=db password = '***' dbname=x")
        #expect(SecretRedaction.redact("sslpassword=pwA") == "sslpassword=***")
        #expect(SecretRedaction.redact("at http://x@h key sk-12345", secrets: ["sk-12345"]) == "at http://***@h key ***")
    }

    /// Config errors quote the value they refuse: never its password.
    @Test func configErrorsHideThePassword() throws {
        let key = ConfigKey("store", "url", .postgresURL, env: ["BEDSIDE_STORE_URL"], help: "")
        for password in Self.passwords {
            let url = "postgres://bedside:\(password)@127.0.0.1:1/db"
            let fromEnvironment = ConfigLayers(environment: ["BEDSIDE_STORE_URL": url])
            let fromFile = try ConfigLayers(fileText: "[store]\nurl = \"\(url)\"\n")
            for layers in [fromEnvironment, fromFile] {
                do {
                    _ = try layers.string(key)
                } catch let e as BedsideError {
                    for fragment in Self.fragments(password) { #expect(!e.message.contains(fragment), "\(e.message)") }
                }
            }
            // Unquoted, or broken by a quote inside: the syntax error does not quote it either.
            for line in ["url = \(url)", "url = \"postgres://bedside:\(password)\"x@h/db\""] {
                #expect(throws: BedsideError.self) {
                    do { _ = try ConfigLayers(fileText: "[store]\n\(line)\n") } catch let e as BedsideError {
                        for fragment in Self.fragments(password) { #expect(!e.message.contains(fragment), "\(e.message)") }
                        throw e
                    }
                }
            }
        }
    }
}
