import CHwloc

/// An owned hwloc bitmap.
final class Bitmap {
    let handle: hwloc_bitmap_t

    init() {
        // hwloc only returns nil here when malloc fails, which Swift treats as fatal anyway.
        guard let bitmap = hwloc_bitmap_alloc() else { fatalError("hwloc_bitmap_alloc: out of memory") }
        handle = bitmap
    }

    deinit { hwloc_bitmap_free(handle) }

    var indices: [Int] { Bitmap.indices(of: handle) }

    /// Bits of a bitmap hwloc owns (an object's cpuset or nodeset).
    static func indices(of bitmap: hwloc_const_bitmap_t?) -> [Int] {
        guard let bitmap else { return [] }
        // An infinite set (e.g. an unrestricted complete set) has no meaningful list.
        guard hwloc_bitmap_weight(bitmap) >= 0 else { return [] }
        var result: [Int] = []
        var index = hwloc_bitmap_first(bitmap)
        while index >= 0 {
            result.append(Int(index))
            index = hwloc_bitmap_next(bitmap, index)
        }
        return result
    }
}
