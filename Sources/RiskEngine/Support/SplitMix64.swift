import Foundation

/// SplitMix64: a small, fast generator that gives the same sequence for a seed on every platform.
/// The demo market, synthetic positions, property tests and benchmarks all draw from it, so a seed
/// names one session exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    public mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double { sqrt(-2 * log(unit())) * cos(2 * Double.pi * unit()) }
}
