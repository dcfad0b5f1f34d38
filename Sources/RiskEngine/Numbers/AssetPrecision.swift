/// How many decimals an amount of an asset is shown with: cents for the dollar and its stablecoins,
/// eight places (a satoshi) for a coin, so that a coin-margined deficit of 0.00106184 BTC is never
/// printed as `0.00 BTC`.
public enum AssetPrecision {
    static let dollars: Set<String> = ["USD", "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USDE"]

    public static func decimals(forAsset asset: String) -> Int {
        dollars.contains(asset.uppercased()) ? 2 : 8
    }
}
