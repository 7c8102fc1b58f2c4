import Core
import Foundation
import Inference
import SQLiteStore

/// `bedside doctor`'s lines about the workstation replicas: which gateway and subject each
/// mirrors, its size and age, and any file that is not a sound replica.
enum ReplicaReport {
    static func checks(environment: [String: String] = Settings.environment) -> [DoctorCheck] {
        let dir = Replica.directory(dataDirectory: StoreLocation.dataDirectory(environment: environment))
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasSuffix(".sqlite") }.sorted().map { name in
            let path = dir + "/" + name
            do {
                return DoctorCheck(component: "replica", status: .ok, message: describe(try Replica.inspect(path: path)))
            } catch let e as BedsideError {
                return DoctorCheck(component: "replica", status: .failed, message: e.message)
            } catch {
                return DoctorCheck(component: "replica", status: .failed, message: "\(path): \(error)")
            }
        }
    }

    static func describe(_ s: ReplicaSummary, now: Date = Date()) -> String {
        var parts = [
            "\(s.identity.gatewayURL) for \(s.identity.subject)", "\(s.answers) answers, \(s.documents) documents",
            SyncCommand.formatBytes(Int(s.fileBytes)),
        ]
        if let oldest = s.oldest { parts.append("oldest answer \(age(now.timeIntervalSince(oldest))) old") }
        parts.append(s.lastSync.map { "last sync \(age(now.timeIntervalSince($0))) ago" } ?? "never synced")
        return parts.joined(separator: ", ") + " (\(s.path))"
    }

    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 3600 { return "\(s / 60) min" }
        if s < 86_400 { return "\(s / 3600) h" }
        return "\(s / 86_400) d"
    }
}
