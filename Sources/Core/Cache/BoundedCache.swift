/// The one bounded in-memory cache of the code base: a least-recently-used map behind a
/// lock (`Locked`), so the request path reads it without a suspension point or an actor hop.
///
/// Used for verified tokens, each subject's copy of a cached answer, and the hot layer of
/// the response cache (with the answer's JSON already encoded). When full, the least
/// recently used entry goes, one at a time; a capacity of 0 keeps nothing.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let state: Locked<LRUMap<Key, Value>>

    public init(capacity: Int) { state = Locked(LRUMap(capacity: capacity)) }

    public var capacity: Int { state.withLock { $0.capacity } }
    public var count: Int { state.withLock { $0.count } }

    /// The value for `key`, which becomes the most recently used.
    public func get(_ key: Key) -> Value? { state.withLock { $0.get(key) } }

    /// Inserts or replaces `key`, evicting the least recently used entry when full.
    public func set(_ key: Key, _ value: Value) { state.withLock { $0.set(key, value) } }

    public func remove(_ key: Key) { state.withLock { $0.remove(key) } }

    public func removeAll() { state.withLock { $0.removeAll() } }

    /// Keys from the most to the least recently used (for tests).
    public func keysByRecency() -> [Key] { state.withLock { $0.keysByRecency() } }
}

/// A least-recently-used map as a value type: nodes in one array linked by index (no
/// allocation per entry once full; an evicted slot is reused), a dictionary from key to slot.
public struct LRUMap<Key: Hashable, Value> {
    fileprivate struct Node {
        var key: Key
        var value: Value
        var prev: Int
        var next: Int
    }

    public let capacity: Int
    private var index: [Key: Int] = [:]
    private var nodes: [Node] = []
    /// Most recently used slot, or -1.
    private var head = -1
    /// Least recently used slot, or -1.
    private var tail = -1

    public init(capacity: Int) { self.capacity = max(0, capacity) }

    public var count: Int { index.count }

    public mutating func get(_ key: Key) -> Value? {
        guard let i = index[key] else { return nil }
        moveToFront(i)
        return nodes[i].value
    }

    public mutating func set(_ key: Key, _ value: Value) {
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
            i = tail // reuse the least recently used slot
            detach(i)
            index[nodes[i].key] = nil
            nodes[i] = Node(key: key, value: value, prev: -1, next: -1)
        }
        index[key] = i
        attachFront(i)
    }

    public mutating func remove(_ key: Key) {
        guard let i = index.removeValue(forKey: key) else { return }
        detach(i)
        // Keep the array dense: the last node moves into the freed slot.
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

    public mutating func removeAll() {
        index.removeAll()
        nodes.removeAll()
        head = -1
        tail = -1
    }

    public func keysByRecency() -> [Key] {
        var out: [Key] = []
        var i = head
        while i >= 0 {
            out.append(nodes[i].key)
            i = nodes[i].next
        }
        return out
    }

    private mutating func moveToFront(_ i: Int) {
        guard head != i else { return }
        detach(i)
        attachFront(i)
    }

    private mutating func detach(_ i: Int) {
        let p = nodes[i].prev
        let n = nodes[i].next
        if p >= 0 { nodes[p].next = n } else { head = n }
        if n >= 0 { nodes[n].prev = p } else { tail = p }
        nodes[i].prev = -1
        nodes[i].next = -1
    }

    private mutating func attachFront(_ i: Int) {
        nodes[i].prev = -1
        nodes[i].next = head
        if head >= 0 { nodes[head].prev = i }
        head = i
        if tail < 0 { tail = i }
    }
}

extension LRUMap: Sendable where Key: Sendable, Value: Sendable {}
extension LRUMap.Node: Sendable where Key: Sendable, Value: Sendable {}
