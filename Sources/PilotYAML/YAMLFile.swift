import Foundation

/// Reading a document's bytes: the size limit is checked on the file before it is read whole.
enum YAMLFile {
    static func read(_ path: String, limits: YAMLLimits) throws(YAMLError) -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw YAMLError(.syntax, "cannot read the file", file: path) }
        defer { try? h.close() }
        let data: Data
        do {
            data = try h.read(upToCount: limits.maxBytes + 1) ?? Data()
        } catch { throw YAMLError(.syntax, "cannot read the file: \(error.localizedDescription)", file: path) }
        guard data.count <= limits.maxBytes else {
            throw YAMLError(.tooLarge, "the file is larger than \(limits.maxBytes) bytes", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw YAMLError(.syntax, "the file is not UTF-8 text", file: path) }
        return text
    }
}
