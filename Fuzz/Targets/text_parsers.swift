// The small text parsers every input passes through: decimal numbers (Fixed, book units,
// DecimalText), the JSON parser, the recording format sniffer, and the time a user types to jump
// to (EventTime.parse, then shown with EventTime's formatters). Each line of the input is given
// to each of them.
import MarketFeeds
import RiskEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let sessionStart: Int64 = 1_723_161_255_030_314_667
    var sum = 0
    Fuzz.forEachLine(data, size) { line, count in
        let bytes = UnsafeBufferPointer(start: line, count: count)
        let text = String(decoding: bytes, as: UTF8.self)
        if let value = Fixed(text) {
            sum &+= value.formatted(2).utf8.count &+ value.formatted(8, grouping: true).utf8.count
            sum &+= Int(truncatingIfNeeded: value.rounded(places: 2).raw)
        }
        if let units = BookUnits.parse(line, count: count) { sum &+= BookUnits.format(units, decimals: 2, grouping: true).utf8.count }
        if let units = BookUnits.parse(text) { sum &+= Int(truncatingIfNeeded: units) }
        if let scaled = DecimalText.scaledInteger(Substring(text), places: 9) { sum &+= Int(truncatingIfNeeded: scaled) }
        if let value = try? JSONValue.parse(bytes: Array(bytes)) { sum &+= value.objectMembers?.count ?? 0 }
        if let format = RecordingFormat.sniff(text) { sum &+= format.rawValue.utf8.count }
        if let time = EventTime.parse(text, sessionStart: sessionStart) {
            sum &+= EventTime.iso8601(time).utf8.count &+ EventTime.timeOfDay(time).utf8.count
        }
    }
    return sum == 42 ? 0 : 0
}
