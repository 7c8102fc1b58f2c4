import Dispatch
import Foundation
import Testing

@testable import LocalGateway

/// Log lines are queued, never waited for: a reader that stops reading fills the pipe, the
/// writer's queue fills behind it, and what does not fit is dropped and counted.
@Suite("Log line writer")
struct LineWriterTests {
    @Test func aStalledReaderCostsDroppedLinesNotABlockedCaller() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writer = LineWriter(fileDescriptor: ends[1], capacity: 8)
        let line = String(repeating: "x", count: 1000)
        // The pipe holds some 64 KiB (about 65 of these lines), then the writer waits, 8 lines
        // queue behind it and the rest are dropped; the loop itself never waits.
        for i in 0..<300 { writer.write("\(i) \(line)\n") }
        let dropped = writer.dropped
        #expect(dropped > 0)

        let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        async let text: String = withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)) }
        }
        await writer.flush()
        writer.write("last\n")
        await writer.flush()
        close(ends[1])
        let lines = await text.split(separator: "\n")

        // Every kept line whole and in order, each gap announced with its size.
        #expect(lines.last == "last")
        let kept = lines.dropLast().filter { !$0.hasPrefix("{") }
        let numbers = kept.map { Int($0.prefix { $0 != " " })! }
        #expect(numbers == numbers.sorted())
        #expect(kept.allSatisfy { $0.hasSuffix(line) })
        #expect(numbers.count + dropped == 300)
        let announced = lines.filter { $0.hasPrefix("{") }.map { notice in
            (try? JSONSerialization.jsonObject(with: Data(notice.utf8)) as? [String: Any])?["dropped"] as? Int ?? 0
        }
        #expect(announced.reduce(0, +) == dropped)
        #expect(writer.dropped == dropped)
    }

    @Test func linesFromManyTasksStayWhole() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bedside-lines-\(UUID().uuidString)").path
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        defer {
            close(fd)
            unlink(path)
        }
        let writer = LineWriter(fileDescriptor: fd)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask { for i in 0..<250 { writer.write("\(task) \(i)\n") } }
            }
        }
        await writer.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1000)
        #expect(writer.dropped == 0)
        for task in 0..<4 {
            // One task's lines come out in the order that task wrote them.
            let own = lines.filter { $0.hasPrefix("\(task) ") }.map { Int($0.split(separator: " ")[1])! }
            #expect(own == Array(0..<250))
        }
    }
}
