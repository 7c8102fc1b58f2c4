import FuzzOracles

// Fuzzing of the POST /v1/query body decoder (see `QueryOracle`). Built by scripts/fuzz.sh
// with -sanitize=fuzzer -DBEDSIDE_FUZZ: libFuzzer calls the entry point below and a broken
// property is a crash. In the normal build this is a runner that replays corpus files:
// `FuzzQueryBody Tests/FuzzCorpus/query`.

#if BEDSIDE_FUZZ
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzQueryBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data else { return 0 }
        if let problem = QueryOracle.check(Array(UnsafeBufferPointer(start: data, count: size))) {
            fatalError("query body decoder: \(problem)")
        }
        return 0
    }

    /// The process entry point SwiftPM links as `main` (see `LibFuzzer`).
    @_cdecl("FuzzQueryBody_main")
    public func fuzzQueryBodyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        LibFuzzer.run(argc: argc, argv: argv) { fuzzQueryBody($0, $1) }
    }
#else
    import Foundation

    @main
    struct FuzzQueryBody {
        static func main() async {
            let status = await FuzzRunner.replay(arguments: Array(CommandLine.arguments.dropFirst()), name: "FuzzQueryBody") { QueryOracle.check($0) }
            exit(status)
        }
    }
#endif
