import APIClient
import AsyncHTTPClient
import Core
import Foundation
import Inference

/// `bedside doctor --gateway URL`: what a workstation needs to know about a shared gateway
/// before a clinician relies on it: can it be reached, is its certificate trusted, which
/// Bedside it runs, is inference ready, and will it take this token (and for how long).
struct GatewayDoctor {
    var url: String
    /// The token and how it was given (`--token-file F`, `--token`, `BEDSIDE_TOKEN`); nil: none.
    var token: (value: String, source: String)?
    var caCertificatePath: String?
    var timeout: Double
    var now = Date()

    func run() async -> [DoctorCheck] {
        let http = GatewayClient.makeHTTPClient(
            connectTimeout: .milliseconds(Int64(max(0.1, timeout) * 1000)), readTimeout: .milliseconds(Int64(max(0.1, timeout) * 1000)),
            caCertificatePath: caCertificatePath)
        let client = GatewayClient(baseURL: url, token: token?.value, httpClient: http)
        var checks: [DoctorCheck] = []
        let start = ContinuousClock.now
        do {
            let readiness = try await client.readiness()
            checks.append(
                DoctorCheck(
                    component: "gateway", status: .ok,
                    message: "\(url) answered in \(Int(((ContinuousClock.now - start) / .milliseconds(1)).rounded())) ms"))
            checks.append(tlsCheck(failure: nil))
            checks.append(await versionCheck(http))
            checks.append(Self.inferenceCheck(readiness))
            checks += await tokenChecks(client)
        } catch {
            let e = ReplicatingGateway.bedsideError(error)
            let tlsFailed = e.message.contains("TLS")
            checks.append(DoctorCheck(component: "gateway", status: .failed, message: e.message))
            if url.lowercased().hasPrefix("https://") || tlsFailed { checks.append(tlsCheck(failure: tlsFailed ? e : nil)) }
            if let token { checks.append(expiryCheck(token.value, source: token.source)) }
        }
        try? await http.shutdown()
        return checks
    }

    func tlsCheck(failure: BedsideError?) -> DoctorCheck {
        if let failure { return DoctorCheck(component: "tls", status: .failed, message: failure.message) }
        guard url.lowercased().hasPrefix("https://") else {
            let loopback = ["127.0.0.1", "localhost", "[::1]"].contains { url.lowercased().dropFirst("http://".count).hasPrefix($0) }
            return DoctorCheck(
                component: "tls", status: loopback ? .notConfigured : .failed,
                message: loopback
                    ? "plain HTTP on loopback (use https:// and --cacert for a gateway on the network)"
                    : "plain HTTP across the network: the token and the questions travel unencrypted (serve it with --tls-cert/--tls-key)")
        }
        let roots = caCertificatePath.map { "the CA in \($0)" } ?? "the system's trusted roots"
        return DoctorCheck(component: "tls", status: .ok, message: "certificate verified against \(roots)")
    }

    /// `/healthz`'s `version`: the server's Bedside, against this client's.
    func versionCheck(_ http: HTTPClient) async -> DoctorCheck {
        var request = HTTPClientRequest(url: url.hasSuffix("/") ? url + "healthz" : url + "/healthz")
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(max(0.1, timeout) * 1000)))
            let body = try await response.body.collect(upTo: 64 * 1024)
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            guard let version = object?["version"] as? String else {
                return DoctorCheck(component: "version", status: .ok, message: "the server does not say its version (older than 0.1.0)")
            }
            let same = version == BedsideVersion.current
            return DoctorCheck(
                component: "version", status: .ok,
                message: "server Bedside \(version)" + (same ? ", the same as this client" : "; this client is \(BedsideVersion.current)"))
        } catch {
            return DoctorCheck(component: "version", status: .failed, message: "GET /healthz failed: \(error)")
        }
    }

    static func inferenceCheck(_ r: Readiness) -> DoctorCheck {
        if let s = r.readyStatus {
            let model = s.model.isEmpty ? "" : ", model \(s.model)"
            return DoctorCheck(component: "inference", status: .ok, message: "ready (index v\(s.indexVersion)\(model))")
        }
        let why = r.error?.message ?? "the gateway says inference is not ready (HTTP \(r.httpStatus))"
        return DoctorCheck(component: "inference", status: .failed, message: why + " (cached answers may still be served)")
    }

    /// The token's claims read here, then one authenticated request: a revoked token, or one
    /// signed with another secret, is refused only by the gateway.
    func tokenChecks(_ client: GatewayClient) async -> [DoctorCheck] {
        guard let token else {
            return [
                DoctorCheck(component: "token", status: .notConfigured, message: "none given (--token-file F, --token or BEDSIDE_TOKEN)")
            ]
        }
        var checks = [expiryCheck(token.value, source: token.source)]
        do {
            _ = try await client.history(query: nil, limit: 1)
            checks.append(DoctorCheck(component: "auth", status: .ok, message: "the gateway accepts the token from \(token.source)"))
        } catch {
            let e = ReplicatingGateway.bedsideError(error)
            checks.append(
                DoctorCheck(component: "auth", status: .failed, message: "the gateway refuses the token from \(token.source): \(e.message)"))
        }
        return checks
    }

    /// `exp` decoded here (unverified: the gateway verifies), as time left.
    func expiryCheck(_ token: String, source: String) -> DoctorCheck {
        guard let claims = RemoteGatewayOptions.claims(ofToken: token) else {
            return DoctorCheck(component: "token", status: .failed, message: "the token from \(source) is not a JWT")
        }
        let subject = (claims["sub"] as? String).map { "subject \(TerminalText.safe($0, .line)), " } ?? ""
        guard let exp = (claims["exp"] as? NSNumber)?.doubleValue else {
            return DoctorCheck(component: "token", status: .failed, message: "\(subject)no expiry (exp) in the token from \(source)")
        }
        let expiry = Date(timeIntervalSince1970: exp)
        let stamp = ISO8601DateFormatter().string(from: expiry)
        let left = expiry.timeIntervalSince(now)
        guard left > 0 else {
            return DoctorCheck(
                component: "token", status: .failed,
                message: "\(subject)expired \(ReplicaReport.age(-left)) ago (\(stamp)); mint a new one with `bedside token create`")
        }
        return DoctorCheck(component: "token", status: .ok, message: "\(subject)expires in \(Self.timeLeft(left)) (\(stamp))")
    }

    static func timeLeft(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60) min" }
        if s < 86_400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86_400) d \(s % 86_400 / 3600) h"
    }
}
