import Testing
@testable import PilotTopology

@Suite struct CPUListTests {
    @Test(arguments: [
        ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]),
        ("5", [5]),
        ("", []),
        (" 0-1\n", [0, 1]),
        ("3,1,2,1", [1, 2, 3]),
        ("0-7:2", [0, 2, 4, 6]),
        ("4-4", [4]),
    ])
    func parses(text: String, expected: [Int]) throws {
        #expect(try CPUList.parse(text) == expected)
    }

    @Test(arguments: ["a", "1,,2", "3-1", "1-", "-1", "1-2-3", "0-7:0", "5:2", "1,", "0x3", "1 2", "99999999999"])
    func rejectsMalformed(text: String) {
        #expect(throws: TopologyError.self) { try CPUList.parse(text) }
        do {
            _ = try CPUList.parse(text)
        } catch {
            #expect(error.code == .invalidCPUList)
            #expect(error.message.contains(text.trimmingWhitespace()))
        }
    }

    @Test(arguments: [
        ([0, 1, 2, 3, 8, 10, 11], "0-3,8,10-11"),
        ([], ""),
        ([7], "7"),
        ([1, 0], "0-1"),
        ([4, 2, 2, 0], "0,2,4"),
    ])
    func formats(cpus: [Int], expected: String) {
        #expect(CPUList.format(cpus) == expected)
    }

    @Test func roundTripsRandomSets() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let cpus = Array(Set((0..<Int.random(in: 0...40, using: &generator))
                .map { _ in Int.random(in: 0..<128, using: &generator) })).sorted()
            let text = CPUList.format(cpus)
            #expect(try CPUList.parse(text) == cpus, "via \(text)")
            #expect(CPUList.format(try CPUList.parse(text)) == text)
        }
    }
}
