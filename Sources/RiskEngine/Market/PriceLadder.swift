public enum BookSide: Hashable, Sendable {
    case bid
    case ask

    public var opposite: BookSide { self == .bid ? .ask : .bid }
}

/// One side of an L2 book: price levels held as exact integers (book units), sorted so that the
/// best level is the last element. Bids keep their price as the sort key and asks keep the negated
/// price, so both sides are ascending arrays whose maximum is the touch; nearly every feed update
/// lands within a few levels of the touch, where an insert or a removal moves almost nothing and a
/// search from the end finds the level in a step or two.
public struct PriceLadder: Hashable, Sendable {
    public let side: BookSide
    /// Sort keys: the price for bids, −price for asks; ascending, best last.
    @usableFromInline var keys: [Int64] = []
    @usableFromInline var sizes: [Int64] = []

    public init(side: BookSide) { self.side = side }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    @inlinable func key(for price: Int64) -> Int64 { side == .bid ? price : -price }
    @inlinable func price(forKey key: Int64) -> Int64 { side == .bid ? key : -key }

    /// Best price and size, or nil for an empty side.
    public var best: (price: Int64, size: Int64)? {
        guard let last = keys.last else { return nil }
        return (price(forKey: last), sizes[sizes.count - 1])
    }

    /// The level `depth` places from the touch (0 is the best).
    public func level(at depth: Int) -> (price: Int64, size: Int64) {
        let index = keys.count - 1 - depth
        return (price(forKey: keys[index]), sizes[index])
    }

    public func size(at price: Int64) -> Int64 {
        let (index, found) = search(key(for: price))
        return found ? sizes[index] : 0
    }

    /// The index where `key` is or would be inserted. Gallops from the touch end, because that is
    /// where the updates are.
    @inlinable func search(_ key: Int64) -> (index: Int, found: Bool) {
        let count = keys.count
        if count == 0 { return (0, false) }
        return keys.withUnsafeBufferPointer { buffer in
            var high = count
            var step = 1
            var low = count - 1
            while low > 0 && buffer[low] > key {
                high = low
                low = Swift.max(0, low - step)
                step <<= 1
            }
            // buffer[low] <= key, or low == 0; buffer[high] > key or high == count.
            while low < high {
                let middle = (low + high) >> 1
                if buffer[middle] < key { low = middle + 1 } else { high = middle }
            }
            return (low, low < count && buffer[low] == key)
        }
    }

    /// Sets the size at a price; zero removes the level. Returns the size it had before.
    @inlinable @discardableResult
    public mutating func set(price: Int64, size: Int64) -> Int64 {
        let key = key(for: price)
        let (index, found) = search(key)
        if found {
            let previous = sizes[index]
            if size > 0 {
                sizes[index] = size
            } else {
                keys.remove(at: index)
                sizes.remove(at: index)
            }
            return previous
        }
        if size > 0 {
            keys.insert(key, at: index)
            sizes.insert(size, at: index)
        }
        return 0
    }

    public mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
    }

    /// Removes every level at or through `price` from the touch: the levels a newer update on the
    /// other side has proved stale. Returns how many were removed.
    @discardableResult
    mutating func removeLevels(crossing price: Int64) -> Int {
        var removed = 0
        while let top = best, side == .bid ? top.price >= price : top.price <= price {
            keys.removeLast()
            sizes.removeLast()
            removed += 1
        }
        return removed
    }

    /// Replaces the side with `levels` (any order; duplicates keep the last; zero sizes dropped).
    mutating func replace(with levels: [(price: Int64, size: Int64)]) {
        let sorted = levels.filter { $0.size > 0 }.map { (key(for: $0.price), $0.size) }.sorted { $0.0 < $1.0 }
        keys.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
        keys.reserveCapacity(sorted.count)
        sizes.reserveCapacity(sorted.count)
        for (key, size) in sorted {
            if let last = keys.last, last == key { sizes[sizes.count - 1] = size; continue }
            keys.append(key)
            sizes.append(size)
        }
    }

    /// Visits levels from the touch outwards until `body` returns false.
    @inlinable
    public func forEachFromTouch(_ body: (_ price: Int64, _ size: Int64) -> Bool) {
        var index = keys.count - 1
        while index >= 0 {
            if !body(price(forKey: keys[index]), sizes[index]) { return }
            index -= 1
        }
    }
}
