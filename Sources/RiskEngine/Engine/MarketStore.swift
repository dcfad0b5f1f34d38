/// The engine's markets, each in a box of its own, copied on write one market at a time.
///
/// A copy of the engine (each shock of a what-if or of a report's stress tables, a checkpoint)
/// shares every market with the original; its first change to a market copies that market alone.
/// Held as a plain array, the first change to any market copied every market's state (its book,
/// its trigger heaps' storage, its lists: dozens of references retained each), so a report
/// stressing each of N markets with positions copied N markets for each of its 10 N shocks: 4,000
/// markets took 206 s, 2,000 took 22–47 s (attacker trial). Now a shock copies N references and
/// the one market it moves.
///
/// Sendable as an array of Sendable values is: a box is changed only when this store holds the
/// only reference to it (`unsafeMutableAddress`), so a box two stores (two threads) share is only
/// ever read.
public struct MarketStore: RandomAccessCollection, MutableCollection, @unchecked Sendable {
    /// One market's state, the buffer's header. Shared by copies of the store until one of them
    /// changes it; changed only when uniquely referenced, as an array's storage is.
    final class Box: ManagedBuffer<MarketState, Void> {
        static func holding(_ state: MarketState) -> Box {
            unsafeDowncast(Box.create(minimumCapacity: 0) { _ in state }, to: Box.self)
        }

        /// Where the state lies: fixed for the box's life (a buffer's header does not move).
        var stateAddress: UnsafeMutablePointer<MarketState> { withUnsafeMutablePointerToHeader { $0 } }
    }

    private var boxes: [Box] = []

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { boxes.count }
    public var count: Int { boxes.count }
    public var isEmpty: Bool { boxes.isEmpty }

    public subscript(position: Int) -> MarketState {
        // Addressed in place, as an array's element is: the store holds the box for as long as
        // the access lasts. (Yielded as a class property from `_read`, a market's book read and
        // let go crashed the stress tests: released once too often.)
        unsafeAddress { UnsafePointer(boxes[position].stateAddress) }
        unsafeMutableAddress {
            if !isKnownUniquelyReferenced(&boxes[position]) {
                boxes[position] = Box.holding(boxes[position].stateAddress.pointee)
            }
            return boxes[position].stateAddress
        }
    }

    mutating func append(_ state: MarketState) {
        boxes.append(Box.holding(state))
    }

    /// Whether market `position` of this store and of `other` are one shared state (tests: a
    /// copy's change must copy that market alone).
    func shares(_ position: Int, with other: MarketStore) -> Bool {
        boxes[position] === other.boxes[position]
    }

    mutating func reserveCapacity(_ count: Int) {
        boxes.reserveCapacity(count)
    }
}
