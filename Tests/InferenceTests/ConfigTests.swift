import Core
import Foundation
import Testing
@testable import Inference

@Suite("Config file (TOML subset) and environment precedence")
struct ConfigTests {
    static let full = """
        # Bedside settings
        retriever = "hybrid"   # fused
        index = 'qdrant'

        [llm]
        url = "http://127.0.0.1:18081/v1"
        model = "SmolLM2"
        api_key = "sk-\\u00e9 #not a comment"
        max_tokens = 256
        temperature = 0.1

        [embeddings]
        url = "http://127.0.0.1:18082/v1"
        batch_size = 1_6

        [qdrant]
        url = "http://127.0.0.1:16333"
        collection = "notes-v2"

        [timeouts]
        connect = 2
        first_token = 1.5
        """

    @Test func parsesEverySupportedForm() throws {
        let c = try BedsideConfig.parse(Self.full, file: "c.toml")
        #expect(c.retriever == .hybrid)
        #expect(c.index == .qdrant)
        #expect(c.llm == BedsideConfig.LLM(url: "http://127.0.0.1:18081/v1", model: "SmolLM2", apiKey: "sk-é #not a comment", maxTokens: 256, temperature: 0.1))
        #expect(c.embeddings?.model == BedsideConfig.defaultEmbeddingModel)
        #expect(c.embeddings?.batchSize == 16)
        #expect(c.qdrant == BedsideConfig.Qdrant(url: "http://127.0.0.1:16333", apiKey: nil, collection: "notes-v2"))
        #expect(c.timeouts.connect == 2 && c.timeouts.firstToken == 1.5 && c.timeouts.total == 180)
        #expect(c.timeouts.chat.firstToken == .milliseconds(1500))
        #expect(try BedsideConfig.parse("").llm == nil)
        #expect(try BedsideConfig.parse("\r\n# only a comment\r\n").retriever == .bm25)
    }

    /// Each bad file names the line that is wrong.
    @Test(arguments: [
        ("retriever = hybrid", 1, "not a value"),
        ("[llm\nurl = \"http://x/v1\"", 1, "missing ]"),
        ("\n\n[llm]\nurl = \"http://x/v1\"\nurl = \"http://y/v1\"", 5, "set twice"),
        ("[llm]\nurl = \"http://x/v1\"\n[llm]", 3, "appears twice"),
        ("[llm]\nurll = \"http://x/v1\"", 2, "unknown key `urll`"),
        ("[lmm]\nurl = \"x\"", 1, "unknown section [lmm]"),
        ("[llm]\nurl = \"ftp://x\"", 2, "http:// or https://"),
        ("[llm]\nurl = \"http://x/v1\"\nmax_tokens = \"many\"", 3, "whole number"),
        ("[llm]\nurl = \"http://x/v1\"\nmax_tokens = 0", 3, "between"),
        ("index = \"faiss\"", 1, "embedded or qdrant"),
        ("x = [1, 2]", 1, "arrays"),
        ("a.b = 1", 1, "bad key"),
        ("name = \"unterminated", 1, "unterminated"),
        ("name = \"bad \\q escape\"", 1, "unknown escape"),
        ("retriever = \"bm25\" extra", 1, "unexpected text"),
        ("just some words", 1, "expected `key = value`"),
        ("[qdrant]\nurl = \"http://q\"\ncollection = \"a/b\"", 3, "letters, digits"),
        ("[embeddings]\nmodel = \"m\"", 0, "needs `url`"),
        ("[timeouts]\nconnect = true", 2, "must be a number"),
    ])
    func errorsNameTheLine(text: String, line: Int, message: String) {
        #expect {
            try BedsideConfig.parse(text, file: "c.toml")
        } throws: { error in
            guard let e = error as? BedsideError, e.code == .config else { return false }
            let lineOK = line == 0 ? true : e.message.hasPrefix("c.toml:\(line):")
            return lineOK && e.message.contains(message)
        }
    }

    @Test func environmentOverridesTheFile() throws {
        var c = try BedsideConfig.parse(Self.full)
        try c.applyEnvironment([
            "BEDSIDE_LLM_URL": "http://llm.env/v1", "BEDSIDE_LLM_MODEL": "env-model",
            "BEDSIDE_EMBED_MODEL": "env-embed", "BEDSIDE_OPENAI_API_KEY": "sk-env",
            "BEDSIDE_QDRANT_URL": "http://q.env:6333", "BEDSIDE_QDRANT_API_KEY": "qk", "BEDSIDE_QDRANT_COLLECTION": "envcol",
            "BEDSIDE_RETRIEVER": "vector", "BEDSIDE_INDEX": "embedded", "BEDSIDE_EMBED_URL": "",
        ])
        #expect(c.llm?.url == "http://llm.env/v1" && c.llm?.model == "env-model" && c.llm?.apiKey == "sk-env")
        #expect(c.llm?.maxTokens == 256)  // file values not overridden stay
        #expect(c.embeddings?.url == "http://127.0.0.1:18082/v1")  // empty variables are ignored
        #expect(c.embeddings?.model == "env-embed" && c.embeddings?.apiKey == "sk-env")
        #expect(c.qdrant == BedsideConfig.Qdrant(url: "http://q.env:6333", apiKey: "qk", collection: "envcol"))
        #expect(c.retriever == .vector && c.index == .embedded)
    }

    @Test func environmentAloneConfiguresComponents() throws {
        var c = BedsideConfig()
        try c.applyEnvironment(["BEDSIDE_EMBED_MODEL": "ignored without a URL"])
        #expect(c.embeddings == nil)
        try c.applyEnvironment(["BEDSIDE_EMBED_URL": "http://e/v1", "BEDSIDE_LLM_URL": "http://l/v1"])
        #expect(c.embeddings?.model == BedsideConfig.defaultEmbeddingModel)
        #expect(c.llm?.model == BedsideConfig.defaultLLMModel)
        #expect(throws: BedsideError.self) { try c.applyEnvironment(["BEDSIDE_QDRANT_URL": "localhost:6333"]) }
        #expect(throws: BedsideError.self) { try c.applyEnvironment(["BEDSIDE_RETRIEVER": "dense"]) }
    }

    @Test func loadsFromXDGConfigHomeThenHome() throws {
        let dir = NSTemporaryDirectory() + "bedside-cfg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/xdg/bedside", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/home/.config/bedside", withIntermediateDirectories: true)
        try "retriever = \"vector\"\n[embeddings]\nurl = \"http://x/v1\"\n".write(toFile: dir + "/xdg/bedside/config.toml", atomically: true, encoding: .utf8)
        try "retriever = \"hybrid\"\n".write(toFile: dir + "/home/.config/bedside/config.toml", atomically: true, encoding: .utf8)
        let xdg = try BedsideConfig.load(environment: ["XDG_CONFIG_HOME": dir + "/xdg", "HOME": dir + "/home"])
        #expect(xdg.retriever == .vector)
        #expect(xdg.sourceFile == dir + "/xdg/bedside/config.toml")
        let home = try BedsideConfig.load(environment: ["HOME": dir + "/home"])
        #expect(home.retriever == .hybrid)
        let env = try BedsideConfig.load(environment: ["HOME": dir + "/home", "BEDSIDE_RETRIEVER": "bm25"])
        #expect(env.retriever == .bm25)
        let none = try BedsideConfig.load(environment: ["HOME": dir + "/nobody"])
        #expect(none == BedsideConfig())
        #expect(throws: BedsideError.self) { try BedsideConfig.load(path: dir + "/missing.toml", environment: [:]) }
    }
}
