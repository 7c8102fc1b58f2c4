import Core
import Foundation
import FuzzOracles
import Testing
import TokenAuth

/// Every input of the fuzz corpus (seeds and the regressions scripts/fuzz.sh saved from
/// crashes) goes through the same oracle as the fuzz targets, so a disagreement found once
/// stays a failing test until it is fixed.
@Suite struct FuzzRegressionTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    static func inputs(_ folders: String...) -> [URL] {
        FuzzRunner.inputFiles(folders.map { corpus.appendingPathComponent($0).path })
    }

    @Test func tokenCorpusAgreesWithJWTKit() async throws {
        let files = Self.inputs("token", "regressions/token")
        #expect(files.count >= 10, "the token seed corpus is missing")
        let harness = try await TokenOracle.makeHarness()
        for file in files {
            let input = try Array(Data(contentsOf: file))
            let problem = await TokenOracle.check(input, harness)
            #expect(problem == nil, "\(file.lastPathComponent): \(problem ?? "")")
        }
    }

    @Test func queryCorpusKeepsTheDecoderProperties() throws {
        let files = Self.inputs("query", "regressions/query")
        #expect(files.count >= 10, "the query seed corpus is missing")
        for file in files {
            let problem = QueryOracle.check(try Array(Data(contentsOf: file)), decodes: 32)
            #expect(problem == nil, "\(file.lastPathComponent): \(problem ?? "")")
        }
    }

    /// The oracle is not vacuous: a seed token is accepted, and a payload signed by the
    /// harness reaches the claims checks (a wrong audience is refused by both paths).
    @Test func oracleSeesAcceptanceAndRefusal() async throws {
        let harness = try await TokenOracle.makeHarness()
        let good = Array(#"P{"sub":"alice","exp":1800003600,"iat":1799999940,"iss":"bedside","aud":"bedside-gateway"}"#.utf8)
        let token = TokenOracle.token(for: good)
        let identity = try await harness.verifier.verifyUncached(token: token, now: TokenOracle.now)
        #expect(identity.subject == "alice")
        #expect(await TokenOracle.check(good, harness) == nil)
        let wrongAudience = TokenOracle.token(for: Array(#"P{"sub":"alice","exp":1800003600,"iss":"bedside","aud":"elsewhere"}"#.utf8))
        await #expect(throws: (any Error).self) {
            _ = try await harness.verifier.verifyUncached(token: wrongAudience, now: TokenOracle.now)
        }
        // A token whose signature is altered is refused by both paths: the oracle agrees.
        var tampered = Array(token.utf8)
        tampered[tampered.count - 2] = tampered[tampered.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(await TokenOracle.check([UInt8(ascii: "T")] + tampered, harness) == nil)
        await #expect(throws: (any Error).self) {
            _ = try await harness.verifier.verifyUncached(token: String(decoding: tampered, as: UTF8.self), now: TokenOracle.now)
        }
    }

    /// Found by FuzzQueryBody: with two bad filter names, the error named whichever the
    /// dictionary listed first, which differs between decodes of the same body.
    @Test func aBodyWithTwoBadFilterNamesNamesTheSameOneEveryTime() {
        let body = Array(#"{"question":"q","filters":{"yea]r":"2019","narurce.#id":"bnf","ok":"1","b d":"x"}}"#.utf8)
        var messages: Set<String> = []
        var ballast: [[String: String]] = [] // live dictionaries, so each decode's filters land elsewhere
        for n in 0..<64 {
            do { _ = try QueryRequest.decode(body: body) } catch { messages.insert(error.message) }
            ballast.append(Dictionary(uniqueKeysWithValues: (0..<(n % 8 + 1)).map { ("\($0)", "") }))
        }
        withExtendedLifetime(ballast) {}
        #expect(messages.count == 1, "\(messages)")
        #expect(messages.first?.contains("b d") == true) // the first bad name in sorted order
    }

    /// Issue 11: the hand-written header parser read `\u+032` as "2", so a header jwt-kit
    /// refuses was accepted. The header is now read by Foundation's JSON parser: an escape
    /// needs exactly four hex digits, and the oracle agrees with jwt-kit on each.
    @Test func headerEscapesNeedFourHexDigits() async throws {
        let harness = try await TokenOracle.makeHarness()
        let payload = #"{"sub":"alice","exp":1800003600,"iat":1799999940,"iss":"bedside","aud":"bedside-gateway"}"#
        let escaped = TokenOracle.token(for: Array(("H" + #"{"alg":"HS2\u0035\u0036"}"# + "\n" + payload).utf8))
        #expect(try await harness.verifier.verifyUncached(token: escaped, now: TokenOracle.now).subject == "alice")
        for bad in [#"HS2\u+0356"#, #"HS2\u-035"#, #"HS2\u 035"#, #"HS2\u03"#] {
            let input = Array(("H" + #"{"alg":""# + bad + #""}"# + "\n" + payload).utf8)
            await #expect(throws: AuthFailure.self, "\(bad)") {
                _ = try await harness.verifier.verifyUncached(token: TokenOracle.token(for: input), now: TokenOracle.now)
            }
            #expect(await TokenOracle.check(input, harness) == nil)
        }
    }

    /// A repeated token is answered by the verified-token cache with the same verdict, and a
    /// header member that changes how a token is checked is refused even when jwt-kit would accept it.
    @Test func cacheAndStrictHeaderAgreeWithTheOracle() async throws {
        let harness = try await TokenOracle.makeHarness()
        let payload = #"{"sub":"bob","exp":1800003600,"iat":1799999940,"iss":"bedside","aud":"bedside-gateway"}"#
        let plain = Array(("P" + payload).utf8)
        #expect(await TokenOracle.check(plain, harness) == nil)
        let token = TokenOracle.token(for: plain)
        #expect(try await harness.cachedVerifier.verify(token: token).subject == "bob")
        #expect(harness.cachedVerifier.cache.count == 1)
        #expect(try await harness.cachedVerifier.verify(token: token).subject == "bob")
        let crit = TokenOracle.token(for: Array(("H" + #"{"alg":"HS256","crit":["exp"]}"# + "\n" + payload).utf8))
        await #expect(throws: AuthFailure.self) { _ = try await harness.verifier.verifyUncached(token: crit, now: TokenOracle.now) }
    }

    @Test func queryOracleAcceptsAndRefuses() {
        #expect(QueryOracle.check(Array(#"{"question":"  What is sepsis? ","top_k":3,"filters":{"year":"2019"}}"#.utf8)) == nil)
        #expect(QueryOracle.check(Array(#"{"question":"a\u0000b"}"#.utf8)) == nil) // refused as invalid_question, a 400
        #expect(QueryOracle.check([0xFF, 0xFE]) == nil)
    }
}
