/// Values kept per settlement asset (USDT, USDC, BTC, ...): the ledger's balances and totals.
///
/// A session settles in a handful of assets and every posting (two for each position placed)
/// looks its asset up: a short list compared by equality costs a few nanoseconds where hashing
/// the name cost more than the rest of the posting. Past `listedLimit` assets (an instrument
/// file may name many) a table finds the slot instead, so no lookup costs more than a hash.
///
/// Reads like a dictionary: `balances[asset]`, `balances[asset, default: .zero] += amount`;
/// two are equal when they hold the same values for the same assets, in any order.
public struct AssetKeyed<Value: Sendable>: Sendable {
    /// The assets in the order they first appeared, with their values.
    var slotted: [(asset: String, value: Value)] = []
    /// Slots by name once the list is long (empty until then).
    var slots: [String: Int] = [:]

    static var listedLimit: Int { 16 }

    public init() {}

    public var count: Int { slotted.count }
    public var isEmpty: Bool { slotted.isEmpty }
    public var assets: [String] { slotted.map(\.asset) }
    /// Every asset with its value, in the order the assets first appeared.
    public var entries: [(asset: String, value: Value)] { slotted }

    func slot(of asset: String) -> Int? {
        if slotted.count > Self.listedLimit { return slots[asset] }
        for index in slotted.indices where slotted[index].asset == asset { return index }
        return nil
    }

    mutating func slot(of asset: String, inserting value: @autoclosure () -> Value) -> Int {
        if let found = slot(of: asset) { return found }
        slotted.append((asset, value()))
        if slotted.count > Self.listedLimit { indexSlots() }
        return slotted.count - 1
    }

    mutating func indexSlots() {
        slots.removeAll(keepingCapacity: true)
        guard slotted.count > Self.listedLimit else { return }
        for (index, entry) in slotted.enumerated() { slots[entry.asset] = index }
    }

    public subscript(asset: String) -> Value? {
        get { slot(of: asset).map { slotted[$0].value } }
        set {
            if let newValue {
                slotted[slot(of: asset, inserting: newValue)].value = newValue
            } else if let found = slot(of: asset) {
                slotted.remove(at: found)
                indexSlots()
            }
        }
    }

    public subscript(asset: String, default defaultValue: @autoclosure () -> Value) -> Value {
        get { slot(of: asset).map { slotted[$0].value } ?? defaultValue() }
        _modify {
            let found = slot(of: asset, inserting: defaultValue())
            yield &slotted[found].value
        }
    }
}

extension AssetKeyed: Equatable where Value: Equatable {
    public static func == (lhs: AssetKeyed, rhs: AssetKeyed) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for entry in lhs.slotted where rhs[entry.asset] != entry.value { return false }
        return true
    }
}
