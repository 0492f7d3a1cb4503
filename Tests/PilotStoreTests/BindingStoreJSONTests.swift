import Foundation
import Testing
import PilotCore
@testable import PilotStore

/// The hand-written binding JSON must read back as the same binding through the ordinary decoder.
@Suite struct BindingStoreJSONTests {
    @Test func roundTripsEveryShape() throws {
        let bindings = [
            Binding(task: 1, placements: [NodePlacement(agent: 3, ranks: [.init(cores: [0], pus: [0], gpus: [], domains: [0])])]),
            Binding(task: 2, placements: [
                NodePlacement(agent: 1, ranks: [.init(cores: [0, 1], pus: [0, 8, 1, 9], gpus: [0], domains: [0]),
                                                .init(cores: [4], pus: [4], gpus: [1], domains: [1])],
                              memoryBytes: 3 << 30, custom: [.init(name: "lic\"en\\se\n", amount: 2)]),
                NodePlacement(agent: 2, ranks: [.init(cores: [], pus: [], gpus: [], domains: [])]),
            ], qpu: QPULease(device: "ideal-sim", slots: [0, 3])),
        ]
        for b in bindings {
            let back = try JSONDecoder().decode(Binding.self, from: Data(b.storeJSON.utf8))
            #expect(back == b)
        }
    }
}
