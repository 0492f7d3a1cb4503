import Foundation

/// Reads files shipped in the test bundle's Fixtures folder.
enum FixtureLoader {
    static func url(_ name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")
    }

    static func data(_ name: String) throws -> Data {
        guard let url = url(name) else { throw CocoaError(.fileNoSuchFile) }
        return try Data(contentsOf: url)
    }
}
