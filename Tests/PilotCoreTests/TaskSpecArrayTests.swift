import Testing
@testable import PilotCore

/// Array members: `{i}` in the command or name becomes the member's index; nothing else changes.
@Suite struct TaskSpecArrayTests {
    @Test(arguments: [
        ("{i}", true), ("x{i}y", true), ("{{i}}", true), ("a{b}{i}", true),
        ("", false), ("{i", false), ("i}", false), ("{ i}", false), ("{I}", false), ("/bin/true", false), ("{é}{i}", true),
    ])
    func mentionsIndex(text: String, expected: Bool) {
        #expect(text.mentionsIndex == expected)
    }

    @Test func membersReplaceEveryIndexMarker() {
        let spec = TaskSpec(name: "run-{i}", command: ["sim", "--seed={i}", "--out=r{i}-{i}.json", "{x}", "plain"])
        let member = spec.instantiated(index: 42)
        #expect(member.command == ["sim", "--seed=42", "--out=r42-42.json", "{x}", "plain"])
        #expect(member.name == "run-42")
        #expect(member.arrayIndex == 42)
        #expect(TaskSpec(name: "sweep", command: ["true"]).instantiated(index: 3).name == "sweep[3]")
    }
}
