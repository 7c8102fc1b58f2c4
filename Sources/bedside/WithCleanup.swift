/// Runs `body`, then awaits `cleanup` on every path: a `defer` cannot await, and an HTTP
/// client, an embedded gateway or a setup must be shut down whether `body` threw or not.
func withCleanup<T>(
    isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T, cleanup: () async -> Void
) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
