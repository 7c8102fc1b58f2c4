import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
    private let sysClose = Glibc.close
    private let sysSend = Glibc.send
#elseif canImport(Darwin)
    import Darwin
    private let sysClose = Darwin.close
    private let sysSend = Darwin.send
#endif

/// Something went wrong on a raw test socket.
struct RawSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

/// A response read off a raw socket.
struct RawResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String
    /// The server closed the connection after the response (EOF seen within the wait).
    var closed: Bool
    /// Seconds from the start of the read to the end of the response head.
    var elapsed: Double

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var isJSONError: Bool {
        headers["content-type"]?.hasPrefix("application/json") == true && errorCode != nil
    }
}

/// A blocking TCP socket to 127.0.0.1, for sending what well-behaved HTTP clients would not
/// (oversized or stalled bodies, broken framing). Blocking calls run on a GCD thread through
/// `RawSocket.run`, never on the cooperative pool.
final class RawSocket: Sendable {
    let fd: Int32
    /// What has arrived and not been read yet. Each test drives its sockets from one thread at
    /// a time, so the lock is never contended; it makes the class checkably `Sendable`.
    private let reader: Mutex<Reader>

    init(port: Int) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawSocketError("socket") }
        reader = Mutex(Reader(fd: fd))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = RawSocketError("connect")
            _ = sysClose(fd)
            throw error
        }
    }

    deinit { _ = sysClose(fd) }

    /// Runs blocking socket work on a thread of its own: off the cooperative pool, and off
    /// Dispatch's global queues too, where a few blocked reads on a 2-core machine starve the
    /// queues the server's database writes run on (the test then stalls until a read times out).
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Sends everything (blocking while the server does not read). Throws on EPIPE/ECONNRESET.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { sysSend(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RawSocketError("send")
            }
            offset += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Closes the write side (the server sees EOF).
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Waits up to `timeout` for bytes; returns what arrived (empty on EOF, nil on timeout).
    func receiveSome(timeout: Double) -> [UInt8]? { reader.withLock { $0.receiveSome(timeout: timeout) } }

    /// Reads one HTTP/1.1 response (Content-Length framed, or up to EOF), then waits up to
    /// `closeWait` for the server to close. Throws if no complete response arrives within `timeout`.
    func readResponse(timeout: Double = 5, closeWait: Double = 3) throws -> RawResponse {
        try reader.withLock { try $0.readResponse(timeout: timeout, closeWait: closeWait) }
    }

    /// Reads and ignores anything until EOF; true if the server closed within `timeout`.
    func waitForClose(timeout: Double) -> Bool { reader.withLock { $0.waitForClose(timeout: timeout) } }

    /// Reads a response without waiting for the connection to close (keep-alive).
    func readKeepAliveResponse(timeout: Double = 5) throws -> RawResponse {
        try readResponse(timeout: timeout, closeWait: 0)
    }

    /// The socket's read side: the bytes received and not yet read, and whether EOF came.
    struct Reader {
        let fd: Int32
        var pending: [UInt8] = []
        var sawEOF = false

        /// Waits up to `timeout` for bytes; returns what arrived (empty on EOF, nil on timeout).
        mutating func receiveSome(timeout: Double) -> [UInt8]? {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(max(0, timeout) * 1000))
            guard ready > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 16_384)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                sawEOF = true
                return []
            } // EOF or reset: the server closed
            return Array(buffer[0..<n])
        }

        /// Reads one HTTP/1.1 response (Content-Length framed, or up to EOF), then waits up to
        /// `closeWait` for the server to close. Throws if no complete response arrives within `timeout`.
        mutating func readResponse(timeout: Double = 5, closeWait: Double = 3) throws -> RawResponse {
            let start = Date()
            func remaining(_ limit: Double) -> Double { limit - Date().timeIntervalSince(start) }
            var headEnd: Int?
            while headEnd == nil {
                if let i = RawSocket.find([13, 10, 13, 10], in: pending) {
                    headEnd = i
                    break
                }
                guard !sawEOF else { throw RawSocketError("EOF before a response head (\(pending.count) bytes)") }
                guard let chunk = receiveSome(timeout: remaining(timeout)) else { throw RawSocketError("no response head within \(timeout) s") }
                pending += chunk
            }
            let elapsed = Date().timeIntervalSince(start)
            let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
            pending.removeFirst(headEnd! + 4)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawSocketError("bad status line \(head)") }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = headers["content-length"].flatMap(Int.init)
            while !sawEOF, pending.count < (length ?? Int.max) {
                guard let chunk = receiveSome(timeout: remaining(timeout)) else {
                    if length == nil { break }
                    throw RawSocketError("body incomplete within \(timeout) s")
                }
                pending += chunk
            }
            let bodyCount = min(pending.count, length ?? pending.count)
            let body = String(decoding: pending[0..<bodyCount], as: UTF8.self)
            pending.removeFirst(bodyCount)
            let closed = waitForClose(timeout: closeWait)
            return RawResponse(status: status, headers: headers, body: body, closed: closed, elapsed: elapsed)
        }

        /// Reads and ignores anything until EOF; true if the server closed within `timeout`.
        mutating func waitForClose(timeout: Double) -> Bool {
            let start = Date()
            while !sawEOF {
                let left = timeout - Date().timeIntervalSince(start)
                guard left > 0, receiveSome(timeout: left) != nil else { return sawEOF }
            }
            return true
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// Resident set size of this process, in bytes (Linux; 0 elsewhere).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
