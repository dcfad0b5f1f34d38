/// Where each pane goes for a terminal size: the ladder down the left, signals over positions on
/// the right, the fund and the tape along the bottom right. Everything scales with the size.
struct Layout {
    /// Present when the session has more than one market: above the signals on the right.
    var markets: Rect?
    var status: Rect
    var ladder: Rect
    var signals: Rect
    var positions: Rect
    var fund: Rect
    var tape: Rect
    var footer: Rect
    var overlay: Rect

    init(width: Int, height: Int, markets marketCount: Int = 1) {
        status = Rect(x: 0, y: 0, width: width, height: 1)
        footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        let bodyTop = 1
        let bodyHeight = height - 2
        let ladderWidth = min(max(38, width * 32 / 100), 56)
        ladder = Rect(x: 0, y: bodyTop, width: ladderWidth, height: bodyHeight)
        let rightX = ladderWidth
        let rightWidth = width - ladderWidth
        // The markets pane: a row a market under its header, at most a fifth of the body (the
        // cursor scrolls the rest), at least two rows of markets.
        var marketsHeight = 0
        if marketCount > 1 {
            marketsHeight = min(marketCount + 3, max(4, bodyHeight / 5))
            markets = Rect(x: rightX, y: bodyTop, width: rightWidth, height: marketsHeight)
        }
        let signalsHeight = min(SignalRowsCount + 3, max(6, (bodyHeight - marketsHeight) / 3))
        signals = Rect(x: rightX, y: bodyTop + marketsHeight, width: rightWidth, height: signalsHeight)
        let bottomHeight = max(7, bodyHeight * 30 / 100)
        let positionsHeight = bodyHeight - marketsHeight - signalsHeight - bottomHeight
        positions = Rect(x: rightX, y: bodyTop + marketsHeight + signalsHeight, width: rightWidth, height: positionsHeight)
        // Narrow screens split the bottom evenly, so the tape keeps its columns too.
        let fundWidth = rightWidth < 90 ? rightWidth / 2 : max(36, rightWidth * 42 / 100)
        fund = Rect(x: rightX, y: bodyTop + marketsHeight + signalsHeight + positionsHeight, width: fundWidth, height: bottomHeight)
        tape = Rect(x: rightX + fundWidth, y: fund.y, width: rightWidth - fundWidth, height: bottomHeight)
        overlay = Rect(x: 2, y: 2, width: width - 4, height: height - 4)
    }
}

let SignalRowsCount = 8
