import ScreenKit

extension Buffer {
    /// A sentence that carries figures, from row `y` on, in lines of at most `width` cells broken
    /// between words (`Format.wrapped`): a figure moves to the next line whole, never cut at the
    /// edge. Rows from `bottom` on are left out; `y` ends on the row after the last one written.
    mutating func putWrapped(_ text: String, x: Int, y: inout Int, width: Int, bottom: Int, role: StyleRole) {
        for part in Format.wrapped(text, width) {
            guard y < bottom else { return }
            put(part, x: x, y: y, role: role, limit: width)
            y += 1
        }
    }
}
