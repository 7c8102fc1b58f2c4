import Core

/// How much of a RAG peer's reply the gateway reads and checks: the answer's length, the
/// number of citations and each citation's size (its text, title and source id together).
///
/// The peer is another program, and checking its reply costs the gateway CPU in proportion to
/// what it sends (every answer sentence against every citation). Unbounded, one reply with a
/// 3 MB citation and 20,000 citations held the gateway for minutes, `/healthz` included
/// (issue 19). A reply over any cap, or with a score that is not a finite number, is refused
/// whole as `upstream_error` (502): the peer is at fault, not unreachable, and nothing of it is
/// checked or shown. The gRPC transport refuses a message larger than all caps together
/// (`messageBytes`) before it is even decoded.
public struct PeerReplyLimits: Sendable, Hashable {
    /// Largest answer text, in UTF-8 bytes.
    public var answerBytes: Int
    /// Most citations in one reply.
    public var citations: Int
    /// Largest citation (text, title and source id), in UTF-8 bytes.
    public var citationBytes: Int

    public init(answerBytes: Int = 8 * 1024, citations: Int = 20, citationBytes: Int = 16 * 1024) {
        self.answerBytes = answerBytes
        self.citations = citations
        self.citationBytes = citationBytes
    }

    /// The largest gRPC message a reply within the caps can be: the caps plus protobuf framing
    /// (a few bytes per field, a score per citation), rounded up generously.
    public var messageBytes: Int { answerBytes + citations * (citationBytes + 64) + 4096 }

    /// Refuses a reply over a cap or carrying a non-finite score (`upstream_error`).
    func check(_ response: Rag_QueryResponse, target: GRPCTarget) throws {
        func refuse(_ what: String) -> BedsideError {
            .refusedReply("The RAG service at \(target) sent a reply the gateway does not accept: \(what).")
        }
        let answer = response.answer.utf8.count
        guard answer <= answerBytes else { throw refuse("an answer of \(answer) bytes (at most \(answerBytes))") }
        let count = response.citations.count
        guard count <= citations else { throw refuse("\(count) citations (at most \(citations))") }
        for (i, c) in response.citations.enumerated() {
            let size = c.text.utf8.count + c.title.utf8.count + c.sourceID.utf8.count
            guard size <= citationBytes else { throw refuse("citation \(i + 1) of \(size) bytes (at most \(citationBytes))") }
            // JSON has no NaN or infinity: such a score would fail when the answer is encoded.
            guard !c.hasScore || c.score.isFinite else { throw refuse("citation \(i + 1) with a score that is not a number (\(c.score))") }
        }
    }
}
