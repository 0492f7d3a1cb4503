import Testing
@testable import PilotCore

@Suite struct QuantityTests {
    @Test func durations() throws {
        #expect(try Quantity.seconds("90") == 90)
        #expect(try Quantity.seconds("10m") == 600)
        #expect(try Quantity.seconds("1h30m") == 5400)
        #expect(try Quantity.seconds("01:00:05") == 3605)
        #expect(try Quantity.seconds("0.5s") == 0.5)
        for bad in ["", "m", "10x", "-5", "1:2:3:4", "abc"] {
            #expect(throws: CoreError.self) { try Quantity.seconds(bad) }
        }
    }

    @Test func sizes() throws {
        #expect(try Quantity.bytes("2G") == 2 << 30)
        #expect(try Quantity.bytes("512M") == 512 << 20)
        #expect(try Quantity.bytes("1GiB") == 1 << 30)
        #expect(try Quantity.bytes("100") == 100)
        for bad in ["", "G", "2Q", "-1G"] { #expect(throws: CoreError.self) { try Quantity.bytes(bad) } }
    }

    @Test func arrays() throws {
        #expect(try ArrayRange("1-5").indices == [1, 2, 3, 4, 5])
        #expect(try ArrayRange("0-9:3,20").indices == [0, 3, 6, 9, 20])
        #expect(try ArrayRange("1-1000").count == 1000)
        for bad in ["", "5-1", "a-b", "1-2:0", "1-99999999999", "0-9223372036854775807"] { #expect(throws: CoreError.self) { try ArrayRange(bad) } }
    }

    @Test func qpuSelectors() throws {
        #expect(try QPUSelector(parsing: "ideal-sim:2") == QPUSelector(device: "ideal-sim", count: 2))
        #expect(try QPUSelector(parsing: "any:qubits>=20") == QPUSelector(device: nil, minQubits: 20, count: 1))
        #expect(throws: CoreError.self) { try QPUSelector(parsing: "dev:qubits>=x") }
        #expect(throws: CoreError.self) { try QPUSelector(parsing: ":1") }
    }

    @Test func specValidationNamesTheField() {
        var t = TaskSpec(command: [])
        #expect(throws: CoreError(.invalidRequest, "a command task needs a non-empty command", field: "command")) { try t.validate() }
        t.command = ["true"]
        t.request.custom = [.init(name: "cores", amount: 1)]
        #expect { try t.validate() } throws: { ($0 as? CoreError)?.field == "custom" }
        t.request.custom = []
        t.retries = -1
        #expect { try t.validate() } throws: { ($0 as? CoreError)?.field == "retries" }
    }

    @Test func stateMachine() {
        #expect(TaskState.ready.canMove(to: .bound))
        #expect(TaskState.running.canMove(to: .ready))
        #expect(!TaskState.done.canMove(to: .ready))
        #expect(!TaskState.new.canMove(to: .running))
        #expect(TaskState.allCases.filter(\.isTerminal) == [.done, .failed, .canceled])
    }
}
