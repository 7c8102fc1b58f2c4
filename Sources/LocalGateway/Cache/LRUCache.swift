/// A bounded map that forgets the least recently used entry first: the in-memory layer in
/// front of the SQLite cache, so hot questions are answered without touching the disk.
public actor LRUCache<Key: Hashable & Sendable, Value: Sendable> {
    private struct Node {
        var key: Key
        var value: Value
        var prev: Int
        var next: Int
    }

    public let capacity: Int
    private var index: [Key: Int] = [:]
    private var nodes: [Node] = []
    /// Most recently used node, or -1.
    private var head = -1
    /// Least recently used node, or -1.
    private var tail = -1

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    public var count: Int { index.count }

    /// The value for `key`, marking it most recently used.
    public func get(_ key: Key) -> Value? {
        guard let i = index[key] else { return nil }
        moveToFront(i)
        return nodes[i].value
    }

    /// Inserts or replaces, evicting the least recently used entry when full.
    public func set(_ key: Key, _ value: Value) {
        guard capacity > 0 else { return }
        if let i = index[key] {
            nodes[i].value = value
            moveToFront(i)
            return
        }
        let i: Int
        if nodes.count < capacity {
            i = nodes.count
            nodes.append(Node(key: key, value: value, prev: -1, next: -1))
        } else {
            // Reuse the tail's slot.
            i = tail
            detach(i)
            index[nodes[i].key] = nil
            nodes[i] = Node(key: key, value: value, prev: -1, next: -1)
        }
        index[key] = i
        attachFront(i)
    }

    public func remove(_ key: Key) {
        guard let i = index.removeValue(forKey: key) else { return }
        detach(i)
        // Keep the array dense: move the last node into the freed slot.
        let last = nodes.count - 1
        if i != last {
            let moved = nodes[last]
            nodes[i] = moved
            index[moved.key] = i
            if moved.prev >= 0 { nodes[moved.prev].next = i } else { head = i }
            if moved.next >= 0 { nodes[moved.next].prev = i } else { tail = i }
        }
        nodes.removeLast()
    }

    public func removeAll() {
        index.removeAll()
        nodes.removeAll()
        head = -1
        tail = -1
    }

    /// Keys from most to least recently used (for tests).
    public func keysByRecency() -> [Key] {
        var out: [Key] = []
        var i = head
        while i >= 0 { out.append(nodes[i].key); i = nodes[i].next }
        return out
    }

    private func moveToFront(_ i: Int) {
        guard head != i else { return }
        detach(i)
        attachFront(i)
    }

    private func detach(_ i: Int) {
        let p = nodes[i].prev, n = nodes[i].next
        if p >= 0 { nodes[p].next = n } else { head = n }
        if n >= 0 { nodes[n].prev = p } else { tail = p }
        nodes[i].prev = -1
        nodes[i].next = -1
    }

    private func attachFront(_ i: Int) {
        nodes[i].prev = -1
        nodes[i].next = head
        if head >= 0 { nodes[head].prev = i }
        head = i
        if tail < 0 { tail = i }
    }
}
