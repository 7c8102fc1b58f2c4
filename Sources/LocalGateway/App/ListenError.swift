import Core
import Foundation
import NIOCore

/// A failure to listen, in one line that names the address and what to do.
///
/// SwiftNIO reports a busy port as `bind(descriptor:ptr:bytes:): Address already in use
/// (errno: 98)`, which names neither the host nor the port the user typed; `bedside serve`
/// and the embedded gateway say instead which address failed and how to choose another.
enum ListenError {
    /// `error` as a `BedsideError` when it is a failure to bind `host:port`, else nil.
    static func describe(_ error: any Error, host: String, port: Int) -> BedsideError? {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let why: String
        switch (error as? IOError)?.errnoCode {
        case EADDRINUSE: why = "the port is already in use. Stop the other server or choose another port with --port."
        case EADDRNOTAVAIL: why = "\(host) is not an address of this machine. Use 127.0.0.1, 0.0.0.0 or one of its own addresses (--host)."
        case EACCES: why = "permission denied (ports below 1024 need privileges). Choose a port of 1024 or above with --port."
        case nil where error is SocketAddressError:
            why = "\(host) is not a valid host name or address. Use an IP address such as 127.0.0.1 (--host)."
        default: return nil
        }
        return BedsideError(.config, "Cannot listen on \(address): \(why)", detail: "\(error)")
    }
}
