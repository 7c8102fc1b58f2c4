import Core
import Foundation
import Testing

@testable import SQLiteStore

#if canImport(Glibc)
    import Glibc
#endif

/// Bedside never re-modes a folder through a symbolic link (issue 19, finding 8).
@Suite("Private folders and links")
struct PrivatePathTests {
    @Test func aSymlinkedReplicasFolderIsRefusedAndItsTargetLeftAlone() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let shared = dir.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o755)
        try FileManager.default.createSymbolicLink(atPath: Replica.directory(dataDirectory: dir.path), withDestinationPath: shared)
        let identity = ReplicaIdentity(gatewayURL: "http://127.0.0.1:8787", subject: "dr.ada")
        let path = Replica.path(for: identity, dataDirectory: dir.path)
        #expect {
            try Replica.open(path: path, identity: identity)
        } throws: { error in
            (error as? BedsideError)?.message.contains("is a symbolic link") == true
        }
        #expect(PrivateFiles.mode(shared) == 0o755)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared).isEmpty)
    }

    @Test func theOwnDataFolderIsNotTightenedThroughALink() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let target = dir.path + "/target"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        chmod(target, 0o755)
        let link = dir.path + "/data"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try PrivateFiles.ensureFolder(link, tighten: true)
        #expect(PrivateFiles.mode(target) == 0o755)
        let real = dir.path + "/real"
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        chmod(real, 0o755)
        try PrivateFiles.ensureFolder(real, tighten: true)
        #expect(PrivateFiles.mode(real) == 0o700)
    }
}
