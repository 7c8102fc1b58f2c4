// The suites' shared helpers (TempDirectory among them) live in Tests/TestSupport.
@_exported import TestSupport
