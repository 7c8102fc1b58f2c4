import Core
import Store

/// BM25 over the FTS5 index in the Bedside database: the zero-setup default.
public struct BM25Retriever: Retriever {
    public let name = "bm25"
    public var database: BedsideDatabase

    public init(database: BedsideDatabase) {
        self.database = database
    }

    public func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
        try retrieveSync(question, topK: topK, filters: filters)
    }

    public func retrieveSync(_ question: String, topK: Int, filters: [String: String] = [:]) throws -> [RetrievedPassage] {
        let match = FTSQuery.match(question)
        guard !match.isEmpty else { return [] }
        return try database.searchFTS(match: match, limit: topK, filters: filters)
    }
}
