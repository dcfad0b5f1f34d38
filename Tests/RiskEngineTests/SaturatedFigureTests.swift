import Testing
@testable import RiskEngine

/// Arithmetic past the range saturates rather than trapping; the bound it stops at is said to be
/// one, not printed as an exact figure (two liquidations of 10²⁰ summed read
/// `170,141,183,460,469,231,731.69 USDT liquidated`: attacker trial).
@Suite("Saturated figures")
struct SaturatedFigureTests {
    @Test("a sum past the range reads ≥ its bound, a loss past it ≤; figures inside the range as before")
    func saidAsBounds() throws {
        let huge = try #require(Fixed("80000000000000000000"))
        let sum = huge + huge + huge
        #expect(sum.isSaturated && sum == .max)
        #expect(sum.formatted(2, grouping: true) == "≥170,141,183,460,469,231,731.69")
        #expect(sum.formatted(2, rounding: .down, grouping: true) == "≥170,141,183,460,469,231,731.69")
        let loss = Fixed.zero - huge - huge - huge
        #expect(loss.isSaturated && loss.formatted(0).hasPrefix("≤-"), "\(loss.formatted(0))")
        #expect(!huge.isSaturated && huge.formatted(2) == "80000000000000000000.00")
        #expect(Fixed("12.5")!.formatted(1) == "12.5")
    }

    @Test("an alert's JSON line gives a saturated value as null: `≥…` is no JSON number")
    func alertLineNull() {
        let alert = OperatorAlert(time: 1, kind: .signal, market: "binance-usdm:BTCUSDT", signal: .liquidations10s, value: 3e20,
            message: "liquidations")
        #expect(alert.jsonLine.contains(#""value":null"#) && !alert.jsonLine.contains("≥"), "\(alert.jsonLine)")
        let small = OperatorAlert(time: 1, kind: .signal, value: 12.5, message: "m")
        #expect(small.jsonLine.contains(#""value":12.5000"#), "\(small.jsonLine)")
    }
}
