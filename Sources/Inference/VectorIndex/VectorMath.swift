/// Dense-vector arithmetic for the embedded index: SIMD dot products over a row-major matrix
/// and a bounded top-k selection.
public enum VectorMath {
    /// `v / |v|`; a zero vector stays zero (it matches nothing).
    public static func normalized(_ v: [Float]) -> [Float] {
        let n = dot(v, v).squareRoot()
        guard n > 0, n.isFinite else { return [Float](repeating: 0, count: v.count) }
        return v.map { $0 / n }
    }

    /// Dot product of two equal-length vectors, 16 lanes at a time.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "vector lengths differ")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, a.count) }
        }
    }

    /// Dot product of `count` floats at two addresses.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        while i + 16 <= count {
            let x = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let y = rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc = acc.addingProduct(x, y)
            i += 16
        }
        var sum = acc.sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// Dot products of `query` with every row of a row-major `rows × dim` matrix.
    public static func scores(matrix: [Float], dim: Int, query: [Float]) -> [Float] {
        precondition(query.count == dim && dim > 0 && matrix.count % dim == 0, "matrix and query dimensions differ")
        let rows = matrix.count / dim
        var out = [Float](repeating: 0, count: rows)
        matrix.withUnsafeBufferPointer { m in
            query.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { o in
                    for r in 0..<rows { o[r] = dot(m.baseAddress! + r * dim, q.baseAddress!, dim) }
                }
            }
        }
        return out
    }

    /// Indices of the `k` largest scores, best first; equal scores keep the lower index first
    /// (stable results for equal vectors). A bounded min-heap: O(n log k).
    public static func topK(_ scores: [Float], k: Int, where include: (Int) -> Bool = { _ in true }) -> [Int] {
        guard k > 0 else { return [] }
        // `worse(a, b)`: a ranks below b.
        func worse(_ a: Int, _ b: Int) -> Bool {
            scores[a] < scores[b] || (scores[a] == scores[b] && a > b)
        }
        var heap: [Int] = [] // min-heap by rank: heap[0] is the worst kept
        heap.reserveCapacity(k)
        func siftUp(_ i0: Int) {
            var i = i0
            while i > 0 {
                let p = (i - 1) / 2
                guard worse(heap[i], heap[p]) else { break }
                heap.swapAt(i, p)
                i = p
            }
        }
        func siftDown(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count, worse(heap[l], heap[m]) { m = l }
                if r < heap.count, worse(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in scores.indices where !scores[i].isNaN && include(i) {
            if heap.count < k {
                heap.append(i)
                siftUp(heap.count - 1)
            } else if worse(heap[0], i) {
                heap[0] = i
                siftDown(0)
            }
        }
        return heap.sorted { worse($1, $0) }
    }
}
