import Foundation

extension PerformanceModel {
    /// The model's file in a server directory.
    public static let fileName = "dreamer-model.json"

    public static func path(serverDir: String) -> String { serverDir + "/" + fileName }

    /// The model stored in `serverDir`, or `standard` with the reason it was not used: a missing
    /// file (nothing calibrated yet) or one that cannot be read (named with its problem). Never throws:
    /// a bad model file must not stop planning.
    public static func load(serverDir: String) -> (model: PerformanceModel, warning: String?) {
        let path = path(serverDir: serverDir)
        guard FileManager.default.fileExists(atPath: path) else {
            return (.standard, "no calibrated model in \(path): using the default model (run `pilot dreamer calibrate`)")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let model = try decode(data)
            return (model, nil)
        } catch let e as QuantumError {
            return (.standard, "\(path): \(e.message): using the default model")
        } catch {
            return (.standard, "\(path): cannot read the model (\(error)): using the default model")
        }
    }

    public static func decode(_ data: Data) throws -> PerformanceModel {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        let model: PerformanceModel
        do { model = try d.decode(PerformanceModel.self, from: data) } catch {
            throw QuantumError(.io, "the model file is not a valid model: \(Self.describe(error))", cause: error)
        }
        guard model.version == currentVersion else {
            throw QuantumError(.io, "model version \(model.version) is not supported (this build reads \(currentVersion))")
        }
        guard model.coefficients.vector.allSatisfy({ $0.isFinite && $0 >= 0 }), model.dispatchSeconds.isFinite else {
            throw QuantumError(.io, "the model's coefficients must be finite and non-negative")
        }
        return model
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    /// Written to a temporary file and renamed, so a reader never sees half a model.
    public func save(serverDir: String) throws(QuantumError) {
        let path = Self.path(serverDir: serverDir)
        do {
            let data = try encoded()
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch { throw QuantumError(.io, "cannot write the model to \(path)", cause: error) }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing key '\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "'\(ctx.codingPath.map(\.stringValue).joined(separator: "."))': \(ctx.debugDescription)"
        case DecodingError.dataCorrupted(let ctx):
            return ctx.debugDescription
        default:
            return "\(error)"
        }
    }
}
