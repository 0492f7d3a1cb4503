import Testing
@testable import PilotCore

/// `qpu: auto`'s policies over per-device predictions.
@Suite struct DeviceChoiceTests {
    // fast: ends at 1.5 s with ESP 0.6; accurate: ends at 4 s with ESP 0.99; middle: 2 s, 0.9.
    static let options = [
        DeviceChoice.Option(device: "fast", runtime: 0.5, wait: 1, fidelity: 0.6),
        DeviceChoice.Option(device: "accurate", runtime: 3, wait: 1, fidelity: 0.99),
        DeviceChoice.Option(device: "middle", runtime: 1, wait: 1, fidelity: 0.9),
    ]

    @Test func fastestPicksTheEarliestEnd() throws {
        let c = try #require(DeviceChoice.choose(Self.options, policy: .fastest))
        #expect(c.chosen.device == "fast")
        #expect(c.ranked.map(\.device) == ["fast", "middle", "accurate"])
    }

    @Test func fidelityPicksTheHighestSuccessProbability() throws {
        #expect(DeviceChoice.choose(Self.options, policy: .fidelity)?.chosen.device == "accurate")
    }

    @Test func balancedPicksTheLeastTimePerSuccessfulRun() throws {
        // 1.5/0.6 = 2.5, 4/0.99 = 4.04, 2/0.9 = 2.22.
        #expect(DeviceChoice.choose(Self.options, policy: .balanced)?.chosen.device == "middle")
    }

    @Test func aLongQueueTurnsFastestAway() throws {
        var options = Self.options
        options[0].wait = 10
        #expect(DeviceChoice.choose(options, policy: .fastest)?.chosen.device == "middle")
    }

    @Test func noOptionsNoChoice() {
        #expect(DeviceChoice.choose([], policy: .balanced) == nil)
    }
}
