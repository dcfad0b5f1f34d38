/// liqwatch's version, which every executable prints for `--version`.
public enum LiqwatchVersion {
    public static let string = "0.5.0"
}
