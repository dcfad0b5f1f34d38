import RiskEngine

enum TooSmallPane {
    static func render(_ model: AppModel, _ buffer: inout Buffer) {
        let lines = ["terminal too small", "\(model.width)×\(model.height); liqwatch needs at least \(AppModel.minimumWidth)×\(AppModel.minimumHeight)", "resize the window, or q to quit"]
        let top = max(0, model.height / 2 - 1)
        for (offset, text) in lines.enumerated() {
            let x = max(0, (model.width - text.count) / 2)
            buffer.put(text, x: x, y: top + offset, role: offset == 0 ? .alert : .text)
        }
    }
}
