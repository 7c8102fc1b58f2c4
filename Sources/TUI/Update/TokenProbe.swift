import Core

extension Update {
    /// The token half of the background probe: while the gateway answers, its acceptance of
    /// the token is asked at start and every `tokenCheckInterval`, so a revoked, expired or
    /// wrongly signed token shows as TOKEN REJECTED before anyone asks a question.
    enum TokenProbe {
        /// `[.checkToken]` when a check is due (never while one is in flight).
        static func due(_ s: inout AppState) -> [Effect] {
            guard !s.tokenCheckInFlight else { return [] }
            if s.token != .unchecked, let last = s.lastTokenCheckTick, s.ticks - last < tokenCheckInterval { return [] }
            s.tokenCheckInFlight = true
            s.lastTokenCheckTick = s.ticks
            return [.checkToken]
        }

        static func checked(_ error: BedsideError?, _ s: inout AppState) {
            s.tokenCheckInFlight = false
            guard let error, error.code != .rateLimited else {
                // No error, or 429 and the like: the token passed authentication.
                s.token = .accepted
                return
            }
            // Anything but a 401 says nothing about the token.
            if error.code == .unauthorized { rejected(error, &s) }
        }

        /// A 401 from the probe or from a question: the status bar says TOKEN REJECTED and the
        /// message names how the token was given and what to do.
        static func rejected(_ error: BedsideError, _ s: inout AppState) {
            let first = !s.token.isRejected
            s.token = .rejected(reason: error.message)
            if first { Update.show(message(s.info, reason: error.message), error: true, &s) }
        }

        /// "The gateway at H rejected the token from --token-file F: REASON REMEDY"
        static func message(_ info: StatusInfo, reason: String) -> String {
            "The gateway at \(info.gateway) rejected the token from \(info.tokenSource.label): \(reason) \(info.tokenSource.remedy)"
        }
    }
}
