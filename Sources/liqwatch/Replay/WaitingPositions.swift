import RiskEngine

/// Positions past their trigger that the engine does not liquidate because their cross account
/// holds a leg in another market whose mark it cannot liquidate on (never given, outdated,
/// disputed): the report named none of them, where the dashboard showed a bankrupt leg with a
/// deficit of 3,192 waiting for ETHUSDT's first mark (operator trial).
struct WaitingPosition {
    var account: String
    var symbol: String
    /// The market whose mark it waits for, and why.
    var market: String
    var block: LiquidationBlock
    /// What it would leave if liquidated into its book now (nil: its book has no snapshot).
    var deficitNow: Fixed?
    var asset: String

    /// Every such position, in the engine's order (cross positions only: an isolated one never waits on another market).
    static func all(in engine: Engine) -> [WaitingPosition] {
        var result: [WaitingPosition] = []
        for index in engine.positions.indices {
            guard engine.positions[index].isOpen, engine.positions[index].mode == .cross,
                  let wait = engine.liquidationWait(position: Int32(index)), !wait.ownMarket else { continue }
            let position = engine.currentPosition(Int32(index))
            let market = engine.markets[Int(position.symbolIndex)]
            let deficit = market.book.hasSnapshot ? Engine.liquidationWalk(position, instrument: market.instrument, book: market.book).deficit : nil
            result.append(WaitingPosition(account: engine.accounts[Int(position.accountIndex)].id, symbol: market.symbol, market: wait.symbol,
                block: wait.block, deficitNow: deficit, asset: market.instrument.settlementAsset))
        }
        return result
    }

    /// `carol binance-usdm:BTCUSDT (waits for binance-usdm:ETHUSDT's first mark; deficit now 3,192.10 USDT)`.
    var text: String {
        let deficit = deficitNow.map { "; deficit now \($0.formatted(AssetPrecision.decimals(forAsset: asset), grouping: true)) \(asset)" } ?? ""
        return "\(SafeText.escaped(account)) \(symbol) (waits for \(market)'s \(block.legMark)\(deficit))"
    }
}
