import Core
import Foundation

/// The question files `bedside eval` reads: the answerable set (with gold documents) and
/// any number of unanswerable lists, each counted on its own, because a gate that refuses
/// every off-topic question can still answer a clinical question from a neighbouring
/// document, and one pooled refusal rate would hide which kind it let through.
extension EvalCommand {
    /// An answerable question and the documents that answer it.
    struct Question: Decodable {
        var id: String
        var question: String
        var gold_ids: [String]
    }

    /// One `--unanswerable` file: its name in reports and its questions.
    struct UnanswerableList {
        var name: String
        var path: String
        var questions: [String]

        /// The name a list is reported under: the folder of a file called `questions.*`
        /// (`../shared/data/out-of-corpus-dev/questions.txt` is "out-of-corpus-dev"), else
        /// the file's name without its extension.
        static func name(for path: String) -> String {
            let url = URL(fileURLWithPath: path)
            let stem = url.deletingPathExtension().lastPathComponent
            guard stem == "questions" else { return stem }
            let folder = url.deletingLastPathComponent().lastPathComponent
            return folder.isEmpty || folder == "/" || folder == "." ? stem : folder
        }
    }

    /// Every `--unanswerable` file, in the order given; two lists with one name are told
    /// apart by a number, so their counts never merge.
    func loadUnanswerableLists() throws -> [UnanswerableList] {
        var lists: [UnanswerableList] = []
        for path in unanswerable {
            var name = UnanswerableList.name(for: path)
            if lists.contains(where: { $0.name == name }) { name += "-\(lists.count + 1)" }
            lists.append(UnanswerableList(name: name, path: path, questions: try loadUnanswerable(path)))
        }
        return lists
    }

    /// Off-topic questions: one a line, or JSONL objects with a "question".
    func loadUnanswerable(_ path: String) throws -> [String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw BedsideError(.badRequest, "Cannot read \(path).", detail: "\(error)")
        }
        var out: [String] = []
        for (i, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            if line.hasPrefix("{") {
                struct Q: Decodable { var question: String }
                do { out.append(try JSONDecoder().decode(Q.self, from: Data(line.utf8)).question) } catch {
                    throw BedsideError(.badRequest, "\(path):\(i + 1): expected {\"question\": ...}.", detail: "\(error)")
                }
            } else {
                out.append(line)
            }
        }
        guard !out.isEmpty else { throw BedsideError(.badRequest, "\(path) holds no questions.") }
        return out
    }

    /// The answerable questions: one {"id","question","gold_ids"} a line.
    func loadQuestions() throws -> [Question] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: questions)) } catch {
            throw BedsideError(.badRequest, "Cannot read \(questions).", detail: "\(error)")
        }
        var out: [Question] = []
        for (i, line) in data.split(separator: 0x0A).enumerated() where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            do { out.append(try JSONDecoder().decode(Question.self, from: Data(line))) } catch {
                throw BedsideError(.badRequest, "\(questions):\(i + 1): expected {\"id\",\"question\",\"gold_ids\":[...]}.", detail: "\(error)")
            }
        }
        return out
    }
}
