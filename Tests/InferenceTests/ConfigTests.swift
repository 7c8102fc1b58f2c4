import Core
import Foundation
import Testing

@testable import Inference

@Suite("Config layers: file (TOML subset), environment, flags, redaction")
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
        total = "3m"
        """

    /// What the CLI does: parse, report unknown keys, resolve.
    static func parse(_ text: String, file: String = "c.toml", environment: [String: String] = [:], flags: [String: String] = [:]) throws
        -> BedsideConfig
    {
        let layers = try ConfigLayers(fileText: text, filePath: file, environment: environment, flags: flags)
        try layers.check(known: BedsideConfig.keys)
        return try BedsideConfig(layers: layers)
    }

    @Test func parsesEverySupportedForm() throws {
        let c = try Self.parse(Self.full)
        #expect(c.retriever == .hybrid)
        #expect(c.index == .qdrant)
        #expect(
            c.llm
                == BedsideConfig.LLM(
                    url: "http://127.0.0.1:18081/v1", model: "SmolLM2", apiKey: "sk-é #not a comment", maxTokens: 256, temperature: 0.1))
        #expect(c.embeddings?.model == BedsideConfig.defaultEmbeddingModel)
        #expect(c.embeddings?.batchSize == 16)
        #expect(c.qdrant == BedsideConfig.Qdrant(url: "http://127.0.0.1:16333", apiKey: nil, collection: "notes-v2"))
        #expect(c.timeouts.connect == 2 && c.timeouts.firstToken == 1.5 && c.timeouts.total == 180 && c.timeouts.qdrant == 30)
        #expect(c.timeouts.chat.firstToken == .milliseconds(1500))
        #expect(c.sourceFile == "c.toml")
        #expect(try Self.parse("").llm == nil)
        #expect(try Self.parse("\r\n# only a comment\r\n").retriever == .bm25)
    }

    /// Each bad file names the line that is wrong (0: no single line is).
    @Test(arguments: [
        ("retriever = hybrid", 1, "not a value"),
        ("[llm\nurl = \"http://x/v1\"", 1, "missing ]"),
        ("\n\n[llm]\nurl = \"http://x/v1\"\nurl = \"http://y/v1\"", 5, "set twice"),
        ("[llm]\nurl = \"http://x/v1\"\n[llm]", 3, "appears twice"),
        ("[llm]\nurll = \"http://x/v1\"", 2, "unknown key `urll` in [llm]"),
        ("[lmm]\nurl = \"x\"", 1, "unknown section [lmm]"),
        ("colour = \"blue\"", 1, "unknown key `colour` at the top level"),
        ("[llm]\nurl = \"ftp://x\"", 2, "[llm] url: expected an http:// or https:// URL, got \"ftp://x\""),
        ("[llm]\nurl = \"http://x/v1\"\nmax_tokens = \"many\"", 3, "[llm] max_tokens: expected a whole number from 1 to 32768, got \"many\""),
        ("[llm]\nurl = \"http://x/v1\"\nmax_tokens = 0", 3, "from 1 to 32768, got 0"),
        ("index = \"faiss\"", 1, "index: expected one of embedded, qdrant"),
        ("x = [1, 2]", 1, "arrays"),
        ("a.b = 1", 1, "bad key"),
        ("name = \"unterminated", 1, "unterminated"),
        ("name = \"bad \\q escape\"", 1, "unknown escape"),
        ("retriever = \"bm25\" extra", 1, "unexpected text"),
        ("just some words", 1, "expected `key = value`"),
        ("[qdrant]\nurl = \"http://q\"\ncollection = \"a/b\"", 3, "letters, digits, _ or -"),
        ("[embeddings]\nmodel = \"m\"", 0, "[embeddings] needs `url` (or BEDSIDE_EMBED_URL)"),
        ("[timeouts]\nconnect = true", 2, "[timeouts] connect: expected a duration like \"30s\""),
        ("[timeouts]\n\nqdrant = \"soon\"", 3, "got \"soon\""),
    ])
    func errorsNameFileLineAndKey(text: String, line: Int, message: String) {
        #expect {
            try Self.parse(text)
        } throws: { error in
            guard let e = error as? BedsideError, e.code == .config else { return false }
            let lineOK = line == 0 ? e.message.hasPrefix("c.toml: ") : e.message.hasPrefix("c.toml:\(line): ")
            return lineOK && e.message.contains(message)
        }
    }

    @Test func everyUnknownKeyIsReportedWithItsLine() throws {
        let layers = try ConfigLayers(
            fileText: "retriver = \"bm25\"\n[llm]\nurl = \"http://x/v1\"\nmodle = \"m\"\n[gatway]\nport = 1\n", filePath: "c.toml")
        let problems = layers.unknownKeys(known: BedsideConfig.keys)
        #expect(problems.count == 3)
        #expect(problems[0].hasPrefix("c.toml:1: unknown key `retriver` at the top level"))
        #expect(problems[1].hasPrefix("c.toml:4: unknown key `modle` in [llm]") && problems[1].contains("known: api_key, max_tokens, model"))
        #expect(problems[2].hasPrefix("c.toml:5: unknown section [gatway]"))
        #expect(throws: BedsideError.self) { try layers.check(known: BedsideConfig.keys) }
        #expect(try ConfigLayers(fileText: Self.full).unknownKeys(known: BedsideConfig.keys).isEmpty)
    }

    /// defaults < file < BEDSIDE_* < flags, key by key, and each value says where it came from.
    @Test func precedenceAndOrigins() throws {
        let file = "retriever = \"hybrid\"\nindex = \"qdrant\"\n[embeddings]\nurl = \"http://e.file/v1\"\n[qdrant]\nurl = \"http://q.file\"\n"
        let key = BedsideConfig.Keys.retriever
        let fileOnly = try ConfigLayers(fileText: file, filePath: "c.toml")
        #expect(try BedsideConfig(layers: fileOnly).retriever == .hybrid)
        #expect(fileOnly.origin(key) == .file(path: "c.toml", line: 1))
        let env = try ConfigLayers(fileText: file, filePath: "c.toml", environment: ["BEDSIDE_RETRIEVER": "vector"])
        #expect(try BedsideConfig(layers: env).retriever == .vector)
        #expect(env.origin(key) == .environment("BEDSIDE_RETRIEVER"))
        let flag = try ConfigLayers(fileText: file, filePath: "c.toml", environment: ["BEDSIDE_RETRIEVER": "vector"], flags: ["retriever": "bm25"])
        let c = try BedsideConfig(layers: flag)
        #expect(c.retriever == .bm25)
        #expect(flag.origin(key) == .flag("--retriever"))
        // Keys no higher layer sets keep the file's value, and unset ones the default.
        #expect(c.index == .qdrant && flag.origin(BedsideConfig.Keys.index) == .file(path: "c.toml", line: 2))
        #expect(c.timeouts.total == 180 && flag.origin(BedsideConfig.Keys.total) == .defaultValue)
        let rows = c.rows(layers: flag)
        #expect(rows.first { $0.key == key }?.origin.description == "flag --retriever")
        #expect(rows.first { $0.key == BedsideConfig.Keys.index }?.origin.description == "file c.toml:2")
        #expect(rows.first { $0.key == BedsideConfig.Keys.total }?.value == "3m")
        #expect(rows.first { $0.key == BedsideConfig.Keys.llmURL }?.value == nil) // no LLM configured
    }

    @Test func environmentOverridesTheFile() throws {
        let c = try Self.parse(
            Self.full,
            environment: [
                "BEDSIDE_LLM_URL": "http://llm.env/v1", "BEDSIDE_LLM_MODEL": "env-model",
                "BEDSIDE_EMBED_MODEL": "env-embed", "BEDSIDE_OPENAI_API_KEY": "sk-env",
                "BEDSIDE_QDRANT_URL": "http://q.env:6333", "BEDSIDE_QDRANT_API_KEY": "qk", "BEDSIDE_QDRANT_COLLECTION": "envcol",
                "BEDSIDE_RETRIEVER": "vector", "BEDSIDE_INDEX": "embedded", "BEDSIDE_EMBED_URL": "", "BEDSIDE_CONNECT_TIMEOUT": "5s",
            ])
        #expect(c.llm?.url == "http://llm.env/v1" && c.llm?.model == "env-model" && c.llm?.apiKey == "sk-env")
        #expect(c.llm?.maxTokens == 256) // file values not overridden stay
        #expect(c.embeddings?.url == "http://127.0.0.1:18082/v1") // empty variables are ignored
        #expect(c.embeddings?.model == "env-embed" && c.embeddings?.apiKey == "sk-env")
        #expect(c.qdrant == BedsideConfig.Qdrant(url: "http://q.env:6333", apiKey: "qk", collection: "envcol"))
        #expect(c.retriever == .vector && c.index == .embedded)
        #expect(c.timeouts.connect == 5)
        // The component's own variable wins over the shared one.
        let own = try BedsideConfig(
            layers: ConfigLayers(environment: [
                "BEDSIDE_LLM_URL": "http://l/v1", "BEDSIDE_LLM_API_KEY": "own",
                "BEDSIDE_OPENAI_API_KEY": "shared",
            ]))
        #expect(own.llm?.apiKey == "own")
    }

    @Test func environmentAloneConfiguresComponents() throws {
        #expect(try BedsideConfig(layers: ConfigLayers(environment: ["BEDSIDE_EMBED_MODEL": "ignored without a URL"])).embeddings == nil)
        let c = try BedsideConfig(layers: ConfigLayers(environment: ["BEDSIDE_EMBED_URL": "http://e/v1", "BEDSIDE_LLM_URL": "http://l/v1"]))
        #expect(c.embeddings?.model == BedsideConfig.defaultEmbeddingModel)
        #expect(c.llm?.model == BedsideConfig.defaultLLMModel)
        #expect(c.qdrant == nil)
    }

    /// A bad variable or flag names itself and the key it sets.
    @Test func environmentAndFlagErrorsNameTheirSource() {
        #expect {
            try BedsideConfig(layers: ConfigLayers(environment: ["BEDSIDE_QDRANT_URL": "localhost:6333"]))
        } throws: { error in
            (error as? BedsideError)?.message == "BEDSIDE_QDRANT_URL ([qdrant] url): expected an http:// or https:// URL, got \"localhost:6333\""
        }
        #expect {
            try BedsideConfig(layers: ConfigLayers(flags: ["retriever": "dense"]))
        } throws: { error in
            (error as? BedsideError)?.message == "--retriever (retriever): expected one of bm25, vector, hybrid, got \"dense\""
        }
        #expect {
            try BedsideConfig(layers: ConfigLayers(environment: ["BEDSIDE_LLM_URL": "http://l/v1", "BEDSIDE_LLM_TEMPERATURE": "hot"]))
        } throws: { error in
            (error as? BedsideError)?.message.hasPrefix("BEDSIDE_LLM_TEMPERATURE ([llm] temperature): expected a number from 0 to 2") == true
        }
    }

    @Test func secretsAreNeverShown() throws {
        let text = """
            [llm]
            url = "http://user:hunter2@llm.local/v1?api_key=sk-query"
            api_key = "sk-file-secret"
            [qdrant]
            url = "http://q"
            api_key = 12345
            """
        // A secret of the wrong type is an error that does not echo the value.
        #expect {
            try Self.parse(text)
        } throws: { error in
            guard let m = (error as? BedsideError)?.message else { return false }
            return m == "c.toml:6: [qdrant] api_key: expected a quoted string, got a redacted value" && !m.contains("12345")
        }
        let layers = try ConfigLayers(
            fileText: text.replacingOccurrences(of: "api_key = 12345", with: "api_key = \"qk-secret\""), filePath: "c.toml",
            environment: ["BEDSIDE_EMBED_URL": "http://e/v1", "BEDSIDE_EMBED_API_KEY": "sk-env-secret"])
        let c = try BedsideConfig(layers: layers)
        #expect(c.llm?.apiKey == "sk-file-secret" && c.qdrant?.apiKey == "qk-secret" && c.embeddings?.apiKey == "sk-env-secret")
        let table = ConfigRedaction.table(c.rows(layers: layers))
        for secret in ["sk-file-secret", "qk-secret", "sk-env-secret", "hunter2", "sk-query"] {
            #expect(!table.contains(secret), "\(secret) printed")
        }
        #expect(table.contains("llm.api_key") && table.contains(ConfigRedaction.redacted))
        #expect(table.contains("embeddings.api_key") && table.contains("env BEDSIDE_EMBED_API_KEY"))
        #expect(ConfigRedaction.url("http://user:pw@h:1/v1") == "http://***@h:1/v1")
        #expect(ConfigRedaction.url("http://h/v1?model=a&token=t") == "http://h/v1?model=a&token=***")
        #expect(ConfigRedaction.url("http://h/v1") == "http://h/v1")
        #expect(
            ConfigRedaction.scrub(
                "at http://u:p@h/v1/models (http://u:p@h/v1/models: refused) key sk-12345",
                secrets: ["sk-12345"]) == "at http://***@h/v1/models (http://***@h/v1/models: refused) key ***")
        #expect(ConfigRedaction.scrub("mail a@b or see https://h/x?to=a@b") == "mail a@b or see https://h/x?to=a@b")
    }

    /// `bedside doctor` shows no API key and no password from a URL, whether a check passes or fails.
    @Test func doctorRedactsSecrets() async throws {
        let config = BedsideConfig(
            llm: .init(url: "http://doc:pw-secret@llm.local/v1", model: "m", apiKey: "sk-doctor-secret"),
            qdrant: .init(url: "http://q.local", apiKey: "qk-doctor-secret"))
        let down = ScriptedTransport { _, _ in throw TransportError.connection("refused") }
        let checks = await Doctor(config: config, databasePath: nil, transport: down, timeout: .seconds(1)).run()
        let text = checks.map(\.message).joined(separator: "\n")
        #expect(checks.contains { $0.component == "llm" && $0.status == .failed })
        #expect(text.contains("http://***@llm.local/v1"))
        #expect(text.contains("API keys set for llm, qdrant (set, redacted)"))
        for secret in ["pw-secret", "sk-doctor-secret", "qk-doctor-secret"] { #expect(!text.contains(secret), "\(secret) printed") }
        // The key still reaches the server it is for.
        #expect(down.requests.contains { $0.headers["authorization"] == "Bearer sk-doctor-secret" })
    }

    @Test func durationsAreShownAndReadBack() throws {
        for (seconds, text) in [(90.0, "1m30s"), (5400, "1h30m"), (86_400, "1d"), (1.5, "1.5s"), (30, "30s")] {
            #expect(formatDuration(seconds) == text)
            #expect(try parseDuration(text) == seconds)
        }
    }

    @Test func loadsFromXDGConfigHomeThenHomeThenBedsideConfig() throws {
        let dir = NSTemporaryDirectory() + "bedside-cfg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/xdg/bedside", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/home/.config/bedside", withIntermediateDirectories: true)
        try "retriever = \"vector\"\n[embeddings]\nurl = \"http://x/v1\"\n".write(
            toFile: dir + "/xdg/bedside/config.toml", atomically: true, encoding: .utf8)
        try "retriever = \"hybrid\"\n[embeddings]\nurl = \"http://x/v1\"\n".write(
            toFile: dir + "/home/.config/bedside/config.toml", atomically: true, encoding: .utf8)
        try "index = \"qdrant\"\n".write(toFile: dir + "/named.toml", atomically: true, encoding: .utf8)
        let xdg = try BedsideConfig.load(environment: ["XDG_CONFIG_HOME": dir + "/xdg", "HOME": dir + "/home"])
        #expect(xdg.retriever == .vector)
        #expect(xdg.sourceFile == dir + "/xdg/bedside/config.toml")
        let home = try BedsideConfig.load(environment: ["HOME": dir + "/home"])
        #expect(home.retriever == .hybrid)
        let env = try BedsideConfig.load(environment: ["HOME": dir + "/home", "BEDSIDE_RETRIEVER": "bm25"])
        #expect(env.retriever == .bm25)
        let named = try BedsideConfig.load(environment: ["HOME": dir + "/home", "BEDSIDE_CONFIG": dir + "/named.toml"])
        #expect(named.index == .qdrant && named.retriever == .bm25 && named.sourceFile == dir + "/named.toml")
        let none = try BedsideConfig.load(environment: ["HOME": dir + "/nobody"])
        // Defaults; messages name the file that was looked for.
        var defaults = BedsideConfig()
        defaults.configFile = dir + "/nobody/.config/bedside/config.toml"
        #expect(none == defaults)
        #expect(throws: BedsideError.self) { try BedsideConfig.load(path: dir + "/missing.toml", environment: [:]) }
        #expect(throws: BedsideError.self) { try BedsideConfig.load(environment: ["BEDSIDE_CONFIG": dir + "/missing.toml"]) }
    }
}
