import Core
import Foundation
import LocalGateway
import RAGGRPC
import SQLiteStore

/// `serve --inference grpc://HOST:PORT`: the RAG service over gRPC, with its citations linked to
/// this gateway's own index where the cited document is there.
enum GRPCInference {
    /// The call deadline is the gateway's inference timeout; a peer's reply is capped by
    /// `[limits] peer_*` (`BEDSIDE_PEER_*`).
    static func makeService(url: String, configuration c: GatewayConfiguration, database: BedsideDatabase) throws -> GRPCInferenceService {
        try GRPCInferenceService(
            url: url, callTimeout: .milliseconds(Int64(c.inferenceTimeout * 1000)),
            connectTimeout: .milliseconds(Int64(c.inferenceConnectTimeout * 1000)),
            resolve: { sourceID, text in await link(sourceID: sourceID, text: text, database: database) },
            limits: PeerReplyLimits(answerBytes: c.peerAnswerBytes, citations: c.peerCitations, citationBytes: c.peerCitationBytes))
    }

    /// The passage of document `sourceID` in the local index that `text` quotes, if the document is there.
    static func link(sourceID: String, text: String, database: BedsideDatabase) async -> GRPCInferenceService.LinkedPassage? {
        guard let document = try? await database.document(id: sourceID),
            let chunks = try? await database.chunks(documentID: sourceID), !chunks.isEmpty,
            let i = PassageMatch.best(for: text, among: chunks.map(\.text))
        else { return nil }
        let c = chunks[i]
        return .init(chunkID: c.id, title: document.title, section: c.section, text: c.text, start: c.start, end: c.end)
    }
}
