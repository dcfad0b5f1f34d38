/// An account's position indices, in the order it came to hold them. The first is kept inline and
/// only the others in an array of their own: most accounts hold one position, and a list of one
/// in an array was a heap allocation of 48 bytes, and a `malloc`, for every position placed (a
/// million of them in a large book).
public struct PositionList: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    /// The first index, or -1 while the list is empty.
    private var head: Int32 = -1
    /// Whether the list holds more than one: beside `head`, so asking it reads no array (the
    /// ADL ranking asks it of every cross position's account, a cache miss each at a million).
    public private(set) var holdsSeveral = false
    /// The indices after the first (none for most accounts: the empty array allocates nothing).
    private var tail: [Int32] = []

    public init() {}

    public init(arrayLiteral elements: Int32...) {
        for element in elements { append(element) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { head < 0 ? 0 : 1 + tail.count }

    public subscript(position: Int) -> Int32 {
        precondition(position >= 0 && position < endIndex, "PositionList index out of range")
        return position == 0 ? head : tail[position - 1]
    }

    public var isEmpty: Bool { head < 0 }

    /// The index of a list of exactly one (most accounts'), read without the array.
    @inline(__always) var onlyIndex: Int32? { head >= 0 && !holdsSeveral ? head : nil }

    mutating func append(_ index: Int32) {
        precondition(index >= 0, "a position index is never negative")
        if head < 0 {
            head = index
        } else {
            tail.append(index)
            holdsSeveral = true
        }
    }
}
