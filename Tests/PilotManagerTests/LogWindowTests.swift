import Testing
@testable import PilotManager

/// The byte range `GET /v1/tasks/ID/logs` serves for offset, length and tail.
struct LogWindowTests {
    typealias W = LogStreamer.Window

    @Test func wholeRangeAndTail() throws {
        #expect(try LogStreamer.window(size: 100, offset: nil, length: nil, tail: nil) == W(offset: 0, length: 100))
        #expect(try LogStreamer.window(size: 100, offset: 10, length: 20, tail: nil) == W(offset: 10, length: 20))
        #expect(try LogStreamer.window(size: 100, offset: 90, length: 20, tail: nil) == W(offset: 90, length: 10))
        #expect(try LogStreamer.window(size: 100, offset: 500, length: nil, tail: nil) == W(offset: 100, length: 0))
        #expect(try LogStreamer.window(size: 100, offset: nil, length: nil, tail: 30) == W(offset: 70, length: 30))
        #expect(try LogStreamer.window(size: 100, offset: nil, length: nil, tail: 300) == W(offset: 0, length: 100))
        #expect(try LogStreamer.window(size: 100, offset: nil, length: 5, tail: 30) == W(offset: 70, length: 5))
    }

    @Test func badValuesNameTheirField() {
        for (offset, length, tail, field) in [(-1, nil, nil, "offset"), (nil, -1, nil, "length"), (nil, nil, -1, "tail"), (5, nil, 3, "tail")] as [(Int?, Int?, Int?, String)] {
            do {
                _ = try LogStreamer.window(size: 10, offset: offset, length: length, tail: tail)
                Issue.record("accepted offset \(String(describing: offset)) length \(String(describing: length)) tail \(String(describing: tail))")
            } catch let e as ManagerError {
                #expect(e.code == .badRequest)
                #expect(e.field == field)
            } catch { Issue.record("\(error)") }
        }
    }
}
