import Testing
@testable import Dashboard

/// The signals' sparklines have no scale beside them: drawn from 0, their heights are in
/// proportion to the values (scaled to their own range, a ratio easing from 10.49x to 9.96x at
/// ALERT fell from the top to the bottom and read as a recovery: operator trial).
@Suite("Sparklines")
struct SparklineTests {
    @Test("from zero: a small move is a small step, a fall to 0 the bottom, all zeros flat at the bottom")
    func fromZero() {
        #expect(Format.sparkline([10.49, 10.2, 9.96], width: 3, fromZero: true) == "███")
        #expect(Format.sparkline([10.49, 10.2, 9.96], width: 3) == "█▄▁", "scaled to its own range, as the fund's chart (labelled with it) is")
        #expect(Format.sparkline([1, 0.5, 0], width: 3, fromZero: true) == "█▅▁")
        #expect(Format.sparkline([0, 0, 0], width: 3, fromZero: true) == "▁▁▁")
        #expect(Format.sparkline([4_999, 4_999], width: 2, fromZero: true) == "██")
        #expect(Format.sparkline([1, 2, 3, 4], width: 2, fromZero: true) == "▆█", "the last `width` values")
    }
}
