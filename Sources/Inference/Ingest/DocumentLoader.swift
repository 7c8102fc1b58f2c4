import Core
import Foundation

/// Reads documents from Markdown/text files, folders of them, and JSONL corpora.
public enum DocumentLoader {
    public static let textExtensions: Set<String> = ["md", "markdown", "txt"]
    /// Files larger than this are refused (a corpus line or note, not a database dump).
    public static let maxFileBytes = 50 * 1024 * 1024

    /// Expands paths into the files to read: folders are walked (sorted), hidden entries skipped.
    public static func files(in paths: [String]) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw BedsideError(.ingest, "No such file or folder: \(path)")
            }
            if isDir.boolValue {
                guard let walker = fm.enumerator(atPath: path) else { continue }
                var found: [String] = []
                while let rel = walker.nextObject() as? String {
                    let name = (rel as NSString).lastPathComponent
                    if name.hasPrefix(".") {
                        walker.skipDescendants()
                        continue
                    }
                    let ext = (name as NSString).pathExtension.lowercased()
                    if textExtensions.contains(ext) || ext == "jsonl" { found.append((path as NSString).appendingPathComponent(rel)) }
                }
                out += found.sorted()
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// Loads one file: a JSONL corpus (many documents) or one Markdown/text document.
    /// `root` is the folder the id of a text document is made relative to.
    public static func load(file: String, root: String? = nil) throws -> [Document] {
        let url = URL(fileURLWithPath: file)
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw BedsideError(.ingest, "Cannot read \(file).", detail: "\(error)")
        }
        guard data.count <= maxFileBytes else {
            throw BedsideError(.ingest, "\(file) is larger than \(maxFileBytes / 1024 / 1024) MB; split it first.")
        }
        if url.pathExtension.lowercased() == "jsonl" { return try parseJSONL(data, file: file) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BedsideError(.ingest, "\(file) is not valid UTF-8 text.")
        }
        return [parseText(text, id: documentID(for: file, root: root), sourcePath: file)]
    }

    static func documentID(for file: String, root: String?) -> String {
        var id = file
        if let root, file.hasPrefix(root) {
            id = String(file.dropFirst(root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        } else {
            id = (file as NSString).lastPathComponent
        }
        return (id as NSString).deletingPathExtension
    }

    /// A Markdown or text document: the first `# ` heading (or first line) is the title;
    /// block quotes right under it give `disclaimer` and `guideline` (`Summarises: …`) metadata.
    public static func parseText(_ text: String, id: String, sourcePath: String? = nil) -> Document {
        var title: String?
        var metadata: [String: JSONValue] = [:]
        var sawTitle = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(12) {
            let l = line.trimmingCharacters(in: .whitespaces)
            if !sawTitle, l.hasPrefix("# ") {
                title = String(l.dropFirst(2)).trimmingCharacters(in: .whitespaces)
                sawTitle = true
                continue
            }
            if l.hasPrefix(">") {
                let q = l.drop(while: { $0 == ">" || $0 == " " })
                if let r = q.range(of: "Summarises:", options: .caseInsensitive) {
                    metadata["guideline"] = .string(q[r.upperBound...].trimmingCharacters(in: .whitespaces))
                } else if q.localizedCaseInsensitiveContains("not for clinical use") {
                    metadata["disclaimer"] = .string(String(q))
                }
            } else if sawTitle {
                break
            }
        }
        if title == nil {
            let first = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            title = first.isEmpty || first.count > 120 ? id : first
        }
        return Document(id: id, title: title ?? id, text: text, metadata: metadata, sourcePath: sourcePath)
    }

    struct JSONLRecord: Decodable {
        var id: String
        var title: String?
        var text: String
        var metadata: [String: JSONValue]?
    }

    /// One `{"id","title","text","metadata"}` object per line; blank lines are skipped;
    /// a bad line stops the load with its line number.
    public static func parseJSONL(_ data: Data, file: String) throws -> [Document] {
        var docs: [Document] = []
        let decoder = JSONDecoder()
        var lineNo = 0
        var seen = Set<String>()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNo += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard String(data: Data(line), encoding: .utf8) != nil else {
                throw BedsideError(.ingest, "\(file):\(lineNo): not valid UTF-8.")
            }
            let rec: JSONLRecord
            do { rec = try decoder.decode(JSONLRecord.self, from: Data(line)) } catch {
                throw BedsideError(.ingest, "\(file):\(lineNo): expected {\"id\",\"title\",\"text\",\"metadata\"}.", detail: "\(error)")
            }
            guard !rec.id.isEmpty else { throw BedsideError(.ingest, "\(file):\(lineNo): empty id.") }
            guard seen.insert(rec.id).inserted else { throw BedsideError(.ingest, "\(file):\(lineNo): duplicate id \(rec.id).") }
            docs.append(Document(id: rec.id, title: rec.title ?? rec.id, text: rec.text, metadata: rec.metadata ?? [:], sourcePath: file))
        }
        return docs
    }
}
