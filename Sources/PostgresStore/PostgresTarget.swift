import Core
import Foundation
import PostgresNIO

/// Where a `postgres://` URL points: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with
/// `?host=/socket/dir` for a unix socket (libpq's spelling) and `?sslmode=disable|prefer|require`.
/// The password is kept for connecting and never shown: `description` leaves it out.
struct PostgresTarget: Sendable, CustomStringConvertible {
    enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    var host: String
    var port: Int
    var socketDirectory: String?
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode

    init(url: String) throws {
        func bad(_ why: String) -> BedsideError {
            BedsideError(
                .database, "The store URL is not a PostgreSQL URL (\(why)); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
        }
        guard let components = URLComponents(string: url) else { throw bad("it does not parse") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw bad("the scheme is not postgres://")
        }
        guard let user = components.user, !user.isEmpty else { throw bad("it names no user") }
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        if let p = components.port {
            guard (1...65535).contains(p) else { throw bad("port \(p) is out of range") }
            port = p
        } else {
            port = 5432
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        var tls = TLSMode.prefer
        var socketDirectory: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let dir = item.value, dir.hasPrefix("/") else { throw bad("?host= must be an absolute socket folder") }
                socketDirectory = dir
            case "sslmode":
                guard let v = item.value, let mode = TLSMode(rawValue: v) else { throw bad("sslmode must be disable, prefer or require") }
                tls = mode
            default:
                throw bad("unknown parameter \(item.name)")
            }
        }
        self.tls = tls
        self.socketDirectory = socketDirectory
    }

    /// `host:port`, or the socket file, for messages.
    var place: String {
        if let socketDirectory { return "\(socketDirectory)/.s.PGSQL.\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The URL without its password.
    var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        var s = "postgres://\(username)@\(h):\(port)/\(database)"
        if let socketDirectory { s += "?host=\(socketDirectory)" }
        return s
    }

    var clientConfiguration: PostgresClient.Configuration {
        var c: PostgresClient.Configuration
        if let socketDirectory {
            c = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            c = .init(host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        }
        c.options.connectTimeout = .seconds(5)
        c.options.maximumConnections = 16
        c.options.minimumConnections = 1
        return c
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        if let socketDirectory {
            c = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = (try? .prefer(.init(configuration: .makeClientConfiguration()))) ?? .disable
            case .require: tls = (try? .require(.init(configuration: .makeClientConfiguration()))) ?? .disable
            }
            c = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        c.options.connectTimeout = .seconds(5)
        return c
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// A failure talking to this server as an error a user can act on; never the password,
    /// never a query's values.
    func mapError(_ error: any Error) -> any Error {
        if let e = error as? BedsideError { return e }
        if let e = error as? PostgresTransactionError {
            if let inner = e.closureError ?? e.beginError ?? e.commitError { return mapError(inner) }
            return BedsideError(.database, "A PostgreSQL transaction at \(place) failed.")
        }
        // The pool's own error type lives in postgres-nio's underscored _ConnectionPoolModule; its
        // only failure that reaches a query is the circuit breaker tripping on failed connects.
        if String(describing: type(of: error)) == "ConnectionPoolError" {
            return BedsideError(
                .databaseUnavailable, "Cannot reach PostgreSQL at \(place): new connections keep failing.", detail: "\(error)", retryAfter: 5)
        }
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                let state = info[.sqlState] ?? ""
                let message = info[.message] ?? ""
                switch state {
                case "28P01", "28000":
                    return BedsideError(
                        .database,
                        "PostgreSQL at \(place) refused user \(username) (authentication failed): check the user and password in the store URL.",
                        detail: "SQLSTATE \(state): \(message)")
                case "3D000":
                    return BedsideError(
                        .database, "PostgreSQL at \(place) has no database \(database): create it (createdb \(database)) or fix the store URL.",
                        detail: "SQLSTATE \(state): \(message)")
                case "53300":
                    return BedsideError(
                        .databaseUnavailable, "PostgreSQL at \(place) has no free connection slots.", detail: "SQLSTATE \(state): \(message)",
                        retryAfter: 5)
                default:
                    return BedsideError(.database, "PostgreSQL at \(place) failed: \(message)", detail: "SQLSTATE \(state)")
                }
            }
            switch e.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                let why = e.underlying.map { "\($0)" } ?? "\(e.code)"
                return BedsideError(
                    .databaseUnavailable, "Cannot reach PostgreSQL at \(place) (\(why)). Is the server running, and is the store URL right?",
                    detail: "\(e.code)", retryAfter: 5)
            case .sslUnsupported:
                return BedsideError(.database, "PostgreSQL at \(place) does not offer TLS, which sslmode=require asks for.")
            case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
                return BedsideError(
                    .database, "PostgreSQL at \(place) asks user \(username) for an authentication this URL cannot give (a password?).",
                    detail: "\(e.code)")
            default:
                return BedsideError(.database, "PostgreSQL at \(place) failed (\(e.code)).")
            }
        }
        if error is PostgresDecodingError {
            return BedsideError(.database, "PostgreSQL at \(place) returned a value Bedside cannot read (schema mismatch?).")
        }
        return error
    }
}
