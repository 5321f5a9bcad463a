extension String {
    /// Whether `needle` occurs in the string, compared as UTF-8 bytes. Kernel messages are
    /// searched with this instead of `contains(_:)`: with Foundation imported anywhere in the
    /// module that resolves to `range(of:)` through NSString (UTF-16 copies, locale-aware),
    /// which was 30% of the instructions of `check` on the sample host (issue 15). The
    /// phrases looked for are ASCII, so a byte match is the match the kernel's text has.
    func containsBytes(_ needle: String) -> Bool {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { h in needle.withUTF8 { n in ByteSearch.contains(h, n) } }
    }
}

enum ByteSearch {
    /// Naive search with a first-byte skip: the needles are short phrases, the lines short.
    static func contains(_ h: UnsafeBufferPointer<UInt8>, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        let nc = n.count, hc = h.count
        if nc == 0 { return true }
        if nc > hc { return false }
        let first = n[0]
        var i = 0
        let last = hc - nc
        while i <= last {
            if h[i] == first {
                var j = 1
                while j < nc && h[i + j] == n[j] { j += 1 }
                if j == nc { return true }
            }
            i += 1
        }
        return false
    }
}
