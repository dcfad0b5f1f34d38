import RiskEngine

extension AppModel {
    /// Draws the whole screen.
    public func render(into buffer: inout Buffer) {
        buffer.fill(Rect(x: 0, y: 0, width: buffer.width, height: buffer.height))
        if isTooSmall {
            TooSmallPane.render(self, &buffer)
            return
        }
        let layout = self.layout
        StatusBarPane.render(self, layout.status, &buffer)
        if let rect = layout.markets { MarketsPane.render(self, rect, focused: focus == .markets, &buffer) }
        LadderPane.render(self, layout.ladder, focused: focus == .ladder, &buffer)
        SignalsPane.render(self, layout.signals, focused: focus == .signals, &buffer)
        PositionsPane.render(self, layout.positions, focused: focus == .positions, &buffer)
        FundPane.render(self, layout.fund, focused: focus == .fund, &buffer)
        TapePane.render(self, layout.tape, focused: focus == .tape, &buffer)
        FooterPane.render(self, layout.footer, &buffer)
        switch mode {
        case .help: HelpPane.render(self, layout.overlay, &buffer)
        case .health: HealthPane.render(self, layout.overlay, &buffer)
        case .detail(let position): DetailPane.render(self, position: position, layout.overlay, &buffer)
        case .whatIf(let result, let ladder): WhatIfPane.render(self, result: result, ladder: ladder, layout.overlay, &buffer)
        case .alerts(let cursor): AlertsPane.render(self, cursor: cursor, layout.overlay, &buffer)
        case .liquidation(let entry): LiquidationPane.render(self, entry: entry, layout.overlay, &buffer)
        case .normal, .prompt: break
        }
    }

    /// A fresh buffer of the model's size.
    public func rendered() -> Buffer {
        var buffer = Buffer(width: width, height: height, unicode: unicode)
        render(into: &buffer)
        return buffer
    }
}
