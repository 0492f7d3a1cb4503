import PilotCore
import Yams

/// Walks a composed YAML tree by hand (rather than Codable) so every error
/// can name the dotted field path and the line the value sits on.
struct ProfileReader {
    let file: String

    func error(_ field: String, _ reason: String, at node: Node? = nil) -> ProfileError {
        ProfileError(file: file, field: field, reason: reason, line: node?.mark?.line, column: node?.mark?.column)
    }

    /// Keys and values of a mapping, rejecting non-string and duplicated keys
    /// (libyaml keeps both duplicates and the last would silently win).
    func mapping(_ node: Node, _ field: String) throws(ProfileError) -> [(key: String, value: Node, keyNode: Node)] {
        guard case .mapping(let mapping) = node else {
            throw error(field, "expected a mapping, found \(kind(of: node))", at: node)
        }
        var seen: Set<String> = []
        var entries: [(key: String, value: Node, keyNode: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw error(field, "keys must be plain strings", at: keyNode)
            }
            let path = field.isEmpty ? key.string : "\(field).\(key.string)"
            guard seen.insert(key.string).inserted else {
                throw error(path, "duplicated key", at: keyNode)
            }
            entries.append((key.string, value, keyNode))
        }
        return entries
    }

    func rejectUnknown(_ key: String, keyNode: Node, field: String, known: [String]) throws(ProfileError) {
        let path = field.isEmpty ? key : "\(field).\(key)"
        var reason = "unknown key"
        if let guess = Suggestion.closest(to: key, in: known) {
            reason += " (did you mean '\(guess)'?)"
        } else {
            reason += " (allowed: \(known.joined(separator: ", ")))"
        }
        throw error(path, reason, at: keyNode)
    }

    func string(_ node: Node, _ field: String, pattern: StringPattern? = nil) throws(ProfileError) -> String {
        guard case .scalar(let scalar) = node, node.tagName == .str || scalar.style != .plain else {
            throw error(field, "expected a string, found \(kind(of: node))", at: node)
        }
        let value = scalar.string
        guard !value.isEmpty else { throw error(field, "must not be empty", at: node) }
        guard !value.contains("\n") else { throw error(field, "must be a single line", at: node) }
        if let pattern, !pattern.matches(value) {
            throw error(field, "'\(value)' \(pattern.explanation)", at: node)
        }
        return value
    }

    func int(_ node: Node, _ field: String, in range: ClosedRange<Int>) throws(ProfileError) -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain, node.tagName == .int,
              let value = Int(scalar.string) else {
            throw error(field, "expected an integer, found \(kind(of: node))", at: node)
        }
        guard range.contains(value) else {
            throw error(field, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)", at: node)
        }
        return value
    }

    func bool(_ node: Node, _ field: String) throws(ProfileError) -> Bool {
        guard node.tagName == .bool, let value = node.bool else {
            throw error(field, "expected true or false, found \(kind(of: node))", at: node)
        }
        return value
    }

    func list(_ node: Node, _ field: String) throws(ProfileError) -> [Node] {
        guard case .sequence(let sequence) = node else {
            throw error(field, "expected a list, found \(kind(of: node))", at: node)
        }
        return Array(sequence)
    }

    func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if scalar.style != .plain { return "the string '\(scalar.string)'" }
            switch node.tagName {
            case .int: return "the integer \(scalar.string)"
            case .float: return "the number \(scalar.string)"
            case .bool: return "the boolean \(scalar.string)"
            case .null: return "nothing (null)"
            default: return "the string '\(scalar.string)'"
            }
        }
    }
}
