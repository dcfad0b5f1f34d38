import Testing
@testable import RiskEngine

/// The ledger's per-asset balances: a short list searched by name, a table past sixteen assets.
/// It must read exactly as the dictionary it replaced.
@Suite("Values kept per asset")
struct AssetKeyedTests {
    @Test("random postings over 1 to 40 assets read as a dictionary's, in any order of arrival")
    func matchesDictionary() {
        var rng = SplitMix64(seed: 11)
        for assetCount in [1, 2, 3, 16, 17, 40] {
            var keyed = AssetKeyed<Fixed>()
            var reference: [String: Fixed] = [:]
            for _ in 0..<2_000 {
                let asset = "A\(rng.next() % UInt64(assetCount))"
                let amount = Fixed(Int(rng.next() % 2_001) - 1_000)
                switch rng.next() % 10 {
                case 0:
                    keyed[asset] = nil
                    reference[asset] = nil
                case 1:
                    keyed[asset] = amount
                    reference[asset] = amount
                default:
                    keyed[asset, default: .zero] += amount
                    reference[asset, default: .zero] += amount
                }
                #expect(keyed[asset] == reference[asset])
            }
            #expect(keyed.count == reference.count)
            for (asset, value) in reference { #expect(keyed[asset] == value) }
            #expect(Set(keyed.assets) == Set(reference.keys))
            // The same values arriving in another order are equal.
            var reordered = AssetKeyed<Fixed>()
            for asset in reference.keys.sorted().reversed() { reordered[asset] = reference[asset] }
            #expect(reordered == keyed)
            if let some = reference.keys.first {
                reordered[some, default: .zero] += .one
                #expect(reordered != keyed)
            }
        }
    }
}
