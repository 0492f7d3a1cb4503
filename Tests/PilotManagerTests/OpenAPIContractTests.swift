import Foundation
import Hummingbird
import Logging
import PilotCore
import PilotStore
import Testing
@testable import PilotManager

/// The committed OpenAPI document, the router and the README's route table describe the same routes.
@Suite struct OpenAPIContractTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `METHOD /path` with path parameters written `{name}`, as OpenAPI writes them.
    static func documented() throws -> Set<String> {
        let data = try Data(contentsOf: root.appendingPathComponent("Sources/PilotManager/Resources/openapi.json"))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var out = Set<String>()
        for (path, ops) in paths {
            for method in ops.keys { out.insert("\(method.uppercased()) \(path)") }
        }
        return out
    }

    static func routed() throws -> Set<String> {
        let dir = NSTemporaryDirectory() + "pilot-openapi-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shell = try ManagerShell(config: ManagerConfig(serverDir: dir), store: try PilotStore(inMemory: ()), logger: Logger(label: "test"))
        let api = APIServer(shell: shell, token: "t", metricsToken: nil, log: Logger(label: "test"))
        return Set(api.router().routes.map { route in
            // Hummingbird writes a parameter `:id`, OpenAPI `{id}`.
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { seg in
                seg.hasPrefix(":") ? "{\(seg.dropFirst())}" : String(seg)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(path.isEmpty ? "/" : path)"
        })
    }

    /// The first cell of each row of the README's HTTP API table: `GET /v1/tasks/ID`, `GET /login?code=C`.
    static func readme() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## HTTP API\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        var out = Set<String>()
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            for part in cell.split(separator: "`").enumerated() where part.offset % 2 == 0 {
                let words = part.element.split(separator: " ")
                guard words.count == 2, ["GET", "POST"].contains(words[0]) else { continue }
                let path = words[1].split(separator: "?")[0].split(separator: "/", omittingEmptySubsequences: false).map {
                    $0 == "ID" ? "{id}" : String($0)
                }.joined(separator: "/")
                out.insert("\(words[0]) \(path.isEmpty ? "/" : path)")
            }
        }
        return out
    }

    @Test func everyRouteIsDocumentedAndNothingElse() throws {
        let doc = try Self.documented(), routes = try Self.routed()
        #expect(routes.count >= 30)
        #expect(routes.subtracting(doc).sorted() == [], "routes missing from openapi.json")
        #expect(doc.subtracting(routes).sorted() == [], "documented routes the router does not have")
    }

    @Test func theReadmeRouteTableListsTheDocumentedRoutes() throws {
        let doc = try Self.documented(), table = try Self.readme()
        #expect(table.subtracting(doc).sorted() == [], "README routes missing from openapi.json")
        #expect(doc.subtracting(table).sorted() == [], "documented routes missing from the README table")
    }

    @Test func theEventKindPatternNamesEveryJournalKind() throws {
        let text = String(decoding: try Data(contentsOf: Self.root.appendingPathComponent("Sources/PilotManager/Resources/openapi.json")), as: UTF8.self)
        let start = try #require(text.range(of: "^,*(("))
        let end = try #require(text.range(of: ")(", range: start.upperBound..<text.endIndex))
        let listed = Set(text[start.upperBound..<end.lowerBound].split(separator: "|").map(String.init))
        #expect(listed == Set(JournalKind.allCases.map(\.rawValue)))
    }

    @Test func theServedDocumentIsTheCommittedOne() throws {
        let committed = try Data(contentsOf: Self.root.appendingPathComponent("Sources/PilotManager/Resources/openapi.json"))
        #expect(Data(PackageResources.openapi_json) == committed)
        let doc = try #require(try JSONSerialization.jsonObject(with: committed) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
    }
}
