import Testing
@testable import PilotWorkflow

@Suite struct BadFixtureTests {
    @Test func thereAreEnoughMalformedFixtures() {
        #expect(TestSupport.files(in: "bad").count >= 30)
    }

    @Test(arguments: TestSupport.files(in: "bad"))
    func reportsTheExpectedError(_ path: String) throws {
        let text = try TestSupport.text(path)
        let expected = try Expectation(firstLine: String(text.prefix { $0 != "\n" }))
        let error = #expect(throws: WorkflowError.self) { try Workflow.parse(yaml: text, file: path) }
        guard let error else { return }
        #expect(error.code.rawValue == expected.code, "\(error)")
        #expect(error.file == path)
        #expect(error.line == expected.line, "\(error)")
        #expect(error.field == expected.field, "\(error)")
        #expect(error.message.contains(expected.message), "\(error)")
        #expect(error.description.hasPrefix("\(path):\(expected.line.map(String.init) ?? "")"))
    }
}
