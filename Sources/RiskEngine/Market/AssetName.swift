/// A settlement asset as a person or a file names it (`USDT`, `btc`): letters and digits, at most
/// 16, in upper case. One rule for the command line and the event lines: a name with a terminal
/// escape or a space in it would make a fund or a wallet of nothing, and reach a screen.
public enum AssetName {
    public static let longest = 16

    /// The name in upper case, or nil when it is not one.
    public static func normalized(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= longest,
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
        else { return nil }
        return text.uppercased()
    }
}
