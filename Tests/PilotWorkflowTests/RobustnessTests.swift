import Testing
@testable import PilotWorkflow

/// Damaged files must produce a `WorkflowError` (or read fine), never a crash.
@Suite struct RobustnessTests {
    @Test(arguments: TestSupport.files(in: "good"))
    func truncatedFilesNeverCrash(_ path: String) throws {
        let text = try TestSupport.text(path)
        let bytes = Array(text.utf8)
        var errors = 0
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            let prefix = String(decoding: bytes[..<cut], as: UTF8.self)
            do { _ = try Workflow.parse(yaml: prefix, file: path) } catch {
                errors += 1
                #expect(error.file == path)
                #expect(!error.message.isEmpty)
            }
        }
        #expect(errors > 0)
    }

    @Test(arguments: TestSupport.files(in: "good"))
    func droppedLinesNeverCrash(_ path: String) throws {
        let lines = try TestSupport.text(path).split(separator: "\n", omittingEmptySubsequences: false)
        for k in lines.indices {
            var copy = lines
            copy.remove(at: k)
            do {
                let wf = try Workflow.parse(yaml: copy.joined(separator: "\n"), file: path)
                var engine = try WorkflowEngine(workflow: wf, context: TestSupport.context)
                _ = engine.start()
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
