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
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE:
                return BedsideError(
                    .config, "Cannot listen on \(address): the port is already in use. Stop the other server or choose another port with --port.",
                    detail: "\(io)")
            case EADDRNOTAVAIL:
                return BedsideError(
                    .config,
                    "Cannot listen on \(address): \(host) is not an address of this machine. Use 127.0.0.1, 0.0.0.0 or one of its own addresses (--host).",
                    detail: "\(io)")
            case EACCES:
                return BedsideError(
                    .config,
                    "Cannot listen on \(address): permission denied (ports below 1024 need privileges). Choose a port of 1024 or above with --port.",
                    detail: "\(io)")
            default:
                return nil
            }
        }
        if error is SocketAddressError {
            return BedsideError(
                .config, "Cannot listen on \(address): \(host) is not a valid host name or address. Use an IP address such as 127.0.0.1 (--host).",
                detail: "\(error)")
        }
        return nil
    }
}
