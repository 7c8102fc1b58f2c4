import FuzzOracles

// Differential fuzzing of token verification (see `TokenOracle`). Built by scripts/fuzz.sh
// with -sanitize=fuzzer -DBEDSIDE_FUZZ: libFuzzer calls the entry point below and any
// disagreement between the gateway and jwt-kit is a crash. In the normal build this is a
// runner that replays corpus files: `FuzzTokenVerifier Tests/FuzzCorpus/token`.

#if BEDSIDE_FUZZ
    private let harness = FuzzRunner.blocking {
        do { return try await TokenOracle.makeHarness() } catch { fatalError("cannot build the fuzzing harness: \(error)") }
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTokenVerifier(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data else { return 0 }
        let input = Array(UnsafeBufferPointer(start: data, count: size))
        let harness = harness
        if let problem = FuzzRunner.blocking({ await TokenOracle.check(input, harness) }) {
            fatalError("token verification disagreement: \(problem)")
        }
        return 0
    }

    /// The process entry point SwiftPM links as `main` (see `LibFuzzer`).
    @_cdecl("FuzzTokenVerifier_main")
    public func fuzzTokenVerifierMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        LibFuzzer.run(argc: argc, argv: argv) { fuzzTokenVerifier($0, $1) }
    }
#else
    import Foundation

    @main
    struct FuzzTokenVerifier {
        static func main() async throws {
            let harness = try await TokenOracle.makeHarness()
            let status = await FuzzRunner.replay(arguments: Array(CommandLine.arguments.dropFirst()), name: "FuzzTokenVerifier") {
                await TokenOracle.check($0, harness)
            }
            exit(status)
        }
    }
#endif
