import Core
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOSSL

/// Hummingbird's HTTP/1 child channel with the gateway's edge handlers around the codec:
/// `EdgeByteHandler` in front of the decoder (behind TLS when on) and `EdgeHTTPHandler`
/// behind the codec, then `CachedQueryHandler` when the fast path is on. Every other
/// request is handled by Hummingbird as usual.
struct EdgeHTTPChannel: HTTPChannelHandler {
    typealias Value = EdgeConnectionValue

    let responder: HTTPChannelHandler.Responder
    let limits: EdgeLimits
    let counter: ConnectionCounter
    let secure: Bool
    let logger: Logger
    let fastPath: CachedQueryFastPath?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let edge = EdgeConnection(limits: limits, counter: counter, logger: self.logger)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(EdgeByteHandler(edge))
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
            decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
            decoderLimits.maxHeaderFieldCount = 256
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
            try pipeline.addHandler(EdgeHTTPHandler(edge))
            let decoded = fastPath.map { _ in DecodedQuery() }
            if let fastPath, let decoded { try pipeline.addHandler(CachedQueryHandler(path: fastPath, decoded: decoded)) }
            // Hummingbird's own state handler, for graceful shutdown (its idle timeout stays off: the edge has its own).
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            let async = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            return EdgeConnectionValue(asyncChannel: async, decoded: decoded)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await DecodedQuery.$connection.withValue(value.decoded) { await handleHTTP(asyncChannel: value.asyncChannel, logger: logger) }
    }
}

/// The gateway's server: HTTP/1 with the edge handlers, inside TLS when configured.
enum GatewayServer {
    static func builder(configuration: GatewayConfiguration, logger: Logger, fastPath: CachedQueryFastPath?) -> HTTPServerBuilder {
        let limits = EdgeLimits(configuration: configuration)
        let counter = ConnectionCounter()
        let certificate = configuration.tlsEnabled ? configuration.tlsCertificatePath : nil
        let key = configuration.tlsKeyPath
        return HTTPServerBuilder { responder in
            let edge = EdgeHTTPChannel(
                responder: responder, limits: limits, counter: counter, secure: certificate != nil, logger: logger, fastPath: fastPath)
            guard let certificate, let key else { return edge }
            return try TLSChannel(edge, tlsConfiguration: try GatewayTLS.serverConfiguration(certificatePath: certificate, keyPath: key))
        }
    }
}

/// Loading TLS material, with errors that name the file.
public enum GatewayTLS {
    /// A TLS 1.2+ server configuration from a PEM certificate chain and private key.
    public static func serverConfiguration(certificatePath: String, keyPath: String) throws -> TLSConfiguration {
        let chain = try certificates(certificatePath, "TLS certificate chain")
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: expand(keyPath), format: .pem) } catch {
            throw BedsideError(
                .config, "Cannot read the TLS private key at \(keyPath) (unencrypted PEM expected).", detail: String(describing: error))
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// A client configuration that trusts the CA certificates in `caCertificatePath`
    /// (PEM) instead of the system's, or the system's when nil.
    public static func clientConfiguration(caCertificatePath: String?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caCertificatePath { tls.trustRoots = .certificates(try certificates(caCertificatePath, "CA certificate")) }
        return tls
    }

    /// The PEM certificates in the file at `path` (at least one); `what` names it in errors.
    private static func certificates(_ path: String, _ what: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMFile(expand(path)) } catch {
            throw BedsideError(.config, "Cannot read the \(what) at \(path) (PEM expected).", detail: String(describing: error))
        }
        guard !certificates.isEmpty else { throw BedsideError(.config, "No certificate found in \(path) (PEM expected).") }
        return certificates
    }

    static func expand(_ path: String) -> String { (path as NSString).expandingTildeInPath }
}
