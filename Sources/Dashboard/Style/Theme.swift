/// A 24-bit colour.
public struct RGB: Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// "#RRGGBB"
    public init?(hex: String) {
        var text = Substring(hex)
        if text.hasPrefix("#") { text = text.dropFirst() }
        guard text.count == 6, let value = UInt32(text, radix: 16) else { return nil }
        self.init(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}

/// How one role is drawn.
public struct RoleStyle: Hashable, Sendable {
    public var foreground: RGB
    public var background: RGB?
    public var bold: Bool

    public init(_ foreground: RGB, background: RGB? = nil, bold: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
    }
}

/// Maps style roles to colours. Files use btop's convention: `theme[key]="#RRGGBB"` lines and
/// `#` comments; keys are the roles (`book_bid`, `alert`, ...), a `_bg` suffix sets a background,
/// and `background` sets the screen's. Missing keys keep the default; unknown keys are warned about.
public struct Theme: Hashable, Sendable {
    public var name: String
    public var background: RGB?
    public var styles: [StyleRole: RoleStyle]
    /// Whether the theme relies on attributes (bold, reverse) rather than colour.
    public var monochrome: Bool

    public func style(_ role: StyleRole) -> RoleStyle { styles[role] ?? Theme.dark.styles[role]! }

    public static let dark = Theme(name: "dark", background: nil, styles: [
        .text: RoleStyle(RGB(0xD0, 0xD4, 0xDC)),
        .dim: RoleStyle(RGB(0x7A, 0x82, 0x90)),
        .title: RoleStyle(RGB(0xE8, 0xC5, 0x6A), bold: true),
        .border: RoleStyle(RGB(0x4A, 0x52, 0x60)),
        .header: RoleStyle(RGB(0x9A, 0xB8, 0xD8), bold: true),
        .selection: RoleStyle(RGB(0x10, 0x14, 0x1C), background: RGB(0x8A, 0xB4, 0xF8), bold: true),
        .statusBar: RoleStyle(RGB(0xE8, 0xEA, 0xEE), background: RGB(0x26, 0x32, 0x44)),
        .bookBid: RoleStyle(RGB(0x4C, 0xC2, 0x7E)),
        .bookAsk: RoleStyle(RGB(0xE8, 0x5C, 0x5C)),
        .bookBidBar: RoleStyle(RGB(0x2E, 0x7D, 0x52)),
        .bookAskBar: RoleStyle(RGB(0x9A, 0x3A, 0x3A)),
        .spreadRow: RoleStyle(RGB(0xE8, 0xC5, 0x6A)),
        .liquidationMarker: RoleStyle(RGB(0xF0, 0x9A, 0x3E), bold: true),
        .consumed: RoleStyle(RGB(0xB0, 0x7C, 0xE8)),
        .ok: RoleStyle(RGB(0x4C, 0xC2, 0x7E)),
        .warn: RoleStyle(RGB(0xF0, 0xC0, 0x40), bold: true),
        .alert: RoleStyle(RGB(0xFF, 0xFF, 0xFF), background: RGB(0xB0, 0x20, 0x20), bold: true),
        .positive: RoleStyle(RGB(0x4C, 0xC2, 0x7E)),
        .negative: RoleStyle(RGB(0xE8, 0x5C, 0x5C)),
        .fund: RoleStyle(RGB(0x6A, 0xB0, 0xF0)),
        .exchange: RoleStyle(RGB(0x50, 0xC8, 0xD0)),
        .help: RoleStyle(RGB(0xD0, 0xD4, 0xDC), background: RGB(0x1C, 0x22, 0x2E)),
    ], monochrome: false)

    public struct LoadResult: Sendable {
        public var theme: Theme
        public var warnings: [String]
    }

    /// Parses a theme file over the dark defaults.
    public static func parse(_ text: String, name: String) -> LoadResult {
        var theme = Theme.dark
        theme.name = name
        var warnings: [String] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]"), let equals = line.firstIndex(of: "="), close < equals else {
                warnings.append("\(name):\(offset + 1): expected theme[key]=\"#RRGGBB\"")
                continue
            }
            let key = String(line[line.index(line.startIndex, offsetBy: 6)..<close])
            var value = String(line[line.index(after: equals)...]).trimmingSpaces
            value = value.trimmingCharacters(in: "\"'")
            if key == "monochrome" { theme.monochrome = value == "true"; continue }
            guard let colour = RGB(hex: value) else {
                warnings.append("\(name):\(offset + 1): \(key): '\(value)' is not #RRGGBB")
                continue
            }
            if key == "background" { theme.background = colour; continue }
            let isBackground = key.hasSuffix("_bg")
            let roleName = isBackground ? String(key.dropLast(3)) : key
            guard let role = StyleRole(rawValue: roleName) else {
                warnings.append("\(name):\(offset + 1): unknown key \(key)")
                continue
            }
            var style = theme.style(role)
            if isBackground { style.background = colour } else { style.foreground = colour }
            theme.styles[role] = style
        }
        return LoadResult(theme: theme, warnings: warnings)
    }
}

extension Substring {
    var trimmingSpaces: String {
        var text = self
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return String(text)
    }
}

extension String {
    var trimmingSpaces: String { Substring(self).trimmingSpaces }

    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
