#if BEDSIDE_FUZZ
    /// libFuzzer's driver (`LLVMFuzzerRunDriver`, in the runtime `-sanitize=fuzzer` links).
    ///
    /// SwiftPM links executables on Linux with `main` aliased to `<module>_main` (so tests can
    /// import them), which leaves libFuzzer's own `main` unused; each fuzz target therefore
    /// defines `<module>_main` and starts the driver itself with its test callback.
    @_silgen_name("LLVMFuzzerRunDriver")
    private func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    package enum LibFuzzer {
        /// Runs libFuzzer with the process arguments; returns its exit status.
        package static func run(
            argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
            _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
        ) -> CInt {
            var argc = argc
            var argv = argv
            return LLVMFuzzerRunDriver(&argc, &argv, callback)
        }
    }
#endif
