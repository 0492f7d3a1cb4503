import PilotCore

/// The quantum readers' name for a schema-less JSON value.
typealias JSONValue = JSONNode
