import Testing
@testable import RiskEngine

/// A signal judged against a baseline says it is still learning it, instead of `ok`: the Bybit and
/// OKX recordings, 5 s and 11 s long, were never judged, and a spread 142 times its baseline
/// beside an empty ±10 bps read `ok` (operator trial).
@Suite("Signals while their baselines are learnt")
struct SignalLearningTests {
    @Test("the spread and depth signals read learning for the first warm-up samples, then are judged")
    func learningThenJudged() {
        var engine = Engine(configuration: EngineConfiguration())
        engine.apply(.bookSnapshot(symbol: "BTCUSDT", bids: [(units("59999"), units("10"))], asks: [(units("60001"), units("10"))], time: 1_000_000_000))
        engine.apply(.mark(symbol: "BTCUSDT", price: Fixed(60_000), time: 1_000_000_000))
        let warmup = engine.configuration.signals.warmupSamples
        engine.apply(.clock(time: 2_000_000_000))
        let first = engine.market("BTCUSDT")!.signalReadings
        for kind in [SignalKind.spread, .depth10, .depth50, .spreadVsDepth] {
            #expect(first[kind]?.learning == true && first[kind]?.level == .ok, "\(kind): \(String(describing: first[kind]))")
        }
        // Not judged against a baseline: never learning.
        for kind in [SignalKind.liquidations10s, .stressedDeficit, .drainVsRefill] {
            #expect(first[kind]?.learning == false, "\(kind)")
        }
        for second in 3...(warmup + 3) { engine.apply(.clock(time: Int64(second) * 1_000_000_000)) }
        let later = engine.market("BTCUSDT")!.signalReadings
        for kind in [SignalKind.spread, .depth10, .depth50, .spreadVsDepth] {
            #expect(later[kind]?.learning == false, "\(kind): \(String(describing: later[kind]))")
        }
    }
}
