/// Characters the terminal's C library cannot measure, drawn as a placeholder.
///
/// ncurses places a character by the C library's `wcwidth`; one the library gives no width
/// (−1: an emoji of Unicode 15, such as U+1FAE8 or U+1FA77, on Debian's glibc 2.36) is drawn as
/// nothing, while `DisplayWidth` counts it two cells: a name of one showed blank and every column
/// after it moved a cell left, and a key bound to one was a blank in the footer and the help
/// (attacker trial). Such a character is written as `�` and padded to the cells it was given, so
/// the row keeps its columns and the operator sees that something is there.
public enum LibcUnmeasured {
    /// `text` with every character `width` calls unmeasurable (< 0) written as `�`, padded with
    /// spaces to its `DisplayWidth`. Plain ASCII, nearly every run, is returned as it is.
    public static func drawable(_ text: String, width: (UInt32) -> Int32) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        var result = String.UnicodeScalarView()
        var changed = false
        for scalar in text.unicodeScalars {
            guard scalar.value >= 0x80, width(scalar.value) < 0 else {
                result.append(scalar)
                continue
            }
            changed = true
            result.append("\u{FFFD}")
            for _ in 1..<max(1, DisplayWidth.of(scalar)) { result.append(" ") }
        }
        return changed ? String(result) : text
    }
}
