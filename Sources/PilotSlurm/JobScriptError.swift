/// Why a pilot job script could not be produced.
public enum JobScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    case templateNotFound(searched: [String])
    case templateUnreadable(path: String, reason: String)
    case templateInvalid(path: String, reason: String)
    case invalidContext(field: String, reason: String)
    case profile(ProfileError)

    public var description: String {
        switch self {
        case .templateNotFound(let searched):
            "pilot.sbatch.mustache not found; looked in: \(searched.joined(separator: ", "))"
        case .templateUnreadable(let path, let reason): "\(path): cannot read template: \(reason)"
        case .templateInvalid(let path, let reason): "\(path): invalid mustache template: \(reason)"
        case .invalidContext(let field, let reason): "job script context field '\(field)': \(reason)"
        case .profile(let error): error.description
        }
    }
}
