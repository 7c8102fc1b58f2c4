extension Array {
    /// Consecutive slices of at most `size` elements, in order: the batches of requests and
    /// transactions. Each slice keeps its indices into the array (`startIndex` is its offset).
    func batches(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
