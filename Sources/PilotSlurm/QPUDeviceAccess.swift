/// A QPU-proxy device a pilot's nodes may reach, with an optional cap on
/// concurrent circuits (`slots`) the pilot may run against it.
public struct QPUDeviceAccess: Sendable, Equatable, Codable {
    public var name: String
    public var slots: Int?

    public init(name: String, slots: Int? = nil) {
        self.name = name
        self.slots = slots
    }
}
