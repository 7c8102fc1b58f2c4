import Foundation

/// A fresh folder under the system temp directory, removed by `cleanup()`.
struct TempDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "bedside-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
