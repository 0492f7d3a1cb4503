import Foundation

/// Owns `strdup`'d C strings handed to libslurm structs, which keep raw
/// pointers; they stay valid until the arena is released after the RPC.
final class CStringArena {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    func string(_ s: String?) -> UnsafeMutablePointer<CChar>? {
        guard let s, let p = strdup(s) else { return nil }
        pointers.append(p)
        return p
    }

    /// A NULL-terminated `char **`; the array itself is freed with the arena too.
    func stringArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { array[i] = string(s) }
        array[strings.count] = nil
        arrays.append(array)
        return array
    }

    private var arrays: [UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>] = []

    deinit {
        pointers.forEach { free($0) }
        arrays.forEach { $0.deallocate() }
    }
}
