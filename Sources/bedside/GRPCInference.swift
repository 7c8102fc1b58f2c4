import Core
import Foundation
import RAGGRPC
import Store

/// `serve --inference grpc://HOST:PORT`: the RAG service over gRPC, with its citations linked to
/// this gateway's own index where the cited document is there.
enum GRPCInference {
    static func makeService(
        url: String, callTimeout: TimeInterval, connectTimeout: TimeInterval,
        database: BedsideDatabase
    ) throws -> GRPCInferenceService {
        try GRPCInferenceService(
            url: url, callTimeout: .milliseconds(Int64(callTimeout * 1000)),
            connectTimeout: .milliseconds(Int64(connectTimeout * 1000))
        ) { sourceID, text in
            await link(sourceID: sourceID, text: text, database: database)
        }
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
