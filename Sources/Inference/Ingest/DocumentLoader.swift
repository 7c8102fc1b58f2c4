import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads documents from Markdown/text files, folders of them, and JSONL corpora.
public enum DocumentLoader {
    public static let textExtensions: Set<String> = ["md", "markdown", "txt"]
    /// Files larger than this are refused (a corpus line or note, not a database dump).
    public static let maxFileBytes = 50 * 1024 * 1024

    /// A symbolic link met while walking a folder: not followed (see `walk`).
    public struct SkippedLink: Sendable, Hashable {
        public var link: String
        /// What the link points to, as written in it.
        public var target: String
        /// True when the target resolves outside the folder that was given.
        public var outside: Bool
    }

    /// Expands paths into the files to read (folders are walked, sorted, hidden entries
    /// skipped), and the symbolic links skipped on the way.
    ///
    /// A path given here is used as given, link or not: the user named it. Inside a folder,
    /// no symbolic link is followed, whether it points out of the folder (a link to
    /// `/etc/passwd` must not become a document) or stays inside it (its target is walked
    /// anyway, so following it would only ingest the same file twice under two ids, or loop).
    public static func walk(_ paths: [String]) throws -> (files: [String], skippedLinks: [SkippedLink]) {
        let fm = FileManager.default
        var out: [String] = []
        var skipped: [SkippedLink] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw BedsideError(.ingest, "No such file or folder: \(path)")
            }
            guard isDir.boolValue else {
                out.append(path)
                continue
            }
            let root = (path as NSString).resolvingSymlinksInPath
            var found: [String] = []
            var pending = [""]
            while let rel = pending.popLast() {
                let dir = rel.isEmpty ? path : (path as NSString).appendingPathComponent(rel)
                guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
                for name in names where !name.hasPrefix(".") {
                    let relative = rel.isEmpty ? name : (rel as NSString).appendingPathComponent(name)
                    let full = (path as NSString).appendingPathComponent(relative)
                    var info = stat()
                    guard lstat(full, &info) == 0 else { continue }
                    switch info.st_mode & S_IFMT {
                    case S_IFLNK:
                        let target = (try? fm.destinationOfSymbolicLink(atPath: full)) ?? "?"
                        let resolved = (full as NSString).resolvingSymlinksInPath
                        let inside = resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
                        skipped.append(SkippedLink(link: full, target: target, outside: !inside))
                    case S_IFDIR:
                        pending.append(relative)
                    case S_IFREG:
                        let ext = (name as NSString).pathExtension.lowercased()
                        if textExtensions.contains(ext) || ext == "jsonl" { found.append(full) }
                    default:
                        continue // FIFOs, sockets, devices: never documents
                    }
                }
            }
            out += found.sorted()
        }
        return (out, skipped.sorted { $0.link < $1.link })
    }

    /// Loads one file: a JSONL corpus (many documents) or one Markdown/text document. A text
    /// file with a NUL byte is refused whole, with the line and byte offset of the first one.
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
        if let nul = data.firstIndex(of: 0) {
            let offset = nul - data.startIndex
            let line = data[data.startIndex..<nul].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw BedsideError(
                .ingest,
                "\(file):\(line): a NUL byte (at byte offset \(offset)); the file is refused whole, as it would be stored cut short there. Remove the NUL bytes, or convert the file to plain UTF-8 text."
            )
        }
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
        // A YAML front-matter block is skipped (its `title:` is used when there is no heading).
        let lines = TextLine.split(text)
        let frontMatter = Boilerplate.frontMatter(lines)
        let body = frontMatter.map { String(decoding: Array(text.utf8)[$0.upperBound...], as: UTF8.self) } ?? text
        for line in body.split(separator: "\n", omittingEmptySubsequences: true).prefix(12) {
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
        if title == nil { title = Boilerplate.frontMatterTitle(lines) }
        if title == nil {
            let first = body.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
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
    /// a bad line stops the load with its line number. A NUL (`\u0000`) in an id, title or
    /// text is a bad line: SQLite would store the string cut at it, so `drug\u0000-adult` and
    /// `drug\u0000-child` would both become `drug`, the second silently replacing the first.
    public static func parseJSONL(_ data: Data, file: String) throws -> [Document] {
        var docs: [Document] = []
        let decoder = JSONDecoder()
        var lineNo = 0
        var seen = Set<String>()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNo += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard !line.contains(0) else {
                throw BedsideError(
                    .ingest, "\(file):\(lineNo): a raw NUL byte; the file is refused whole. Write text as UTF-8 JSON, one object per line.")
            }
            guard String(data: Data(line), encoding: .utf8) != nil else {
                throw BedsideError(.ingest, "\(file):\(lineNo): not valid UTF-8.")
            }
            let rec: JSONLRecord
            do { rec = try decoder.decode(JSONLRecord.self, from: Data(line)) } catch {
                throw BedsideError(.ingest, "\(file):\(lineNo): expected {\"id\",\"title\",\"text\",\"metadata\"}.", detail: "\(error)")
            }
            guard !rec.id.isEmpty else { throw BedsideError(.ingest, "\(file):\(lineNo): empty id.") }
            for (field, value) in [("id", rec.id), ("title", rec.title ?? ""), ("text", rec.text)] where value.utf8.contains(0) {
                throw BedsideError(
                    .ingest,
                    "\(file):\(lineNo): the \(field) contains a NUL character (\\u0000); the file is refused whole, as the database would cut the \(field) short there."
                )
            }
            guard seen.insert(rec.id).inserted else { throw BedsideError(.ingest, "\(file):\(lineNo): duplicate id \(rec.id).") }
            docs.append(Document(id: rec.id, title: rec.title ?? rec.id, text: rec.text, metadata: rec.metadata ?? [:], sourcePath: file))
        }
        return docs
    }
}
