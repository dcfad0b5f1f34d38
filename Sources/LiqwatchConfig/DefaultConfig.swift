/// `liqwatch config --print-default`: a complete config.toml with every key at its default, each
/// with a line saying what it does and its unit. Made from `ConfigSchema`, so it names every key
/// the reader knows and reads back to exactly the defaults (a test holds it to that).
public enum DefaultConfig {
    public static var text: String {
        var lines = [
            "# liqwatch configuration: every key at its default.",
            "# liqwatch reads --config FILE, else $XDG_CONFIG_HOME/liqwatch/config.toml, else ~/.config/liqwatch/config.toml",
            "# (only when it exists; --no-config ignores it). The command line wins over this file, which wins over",
            "# the built-in defaults. Unknown keys are warned about; liqwatch never writes this file.",
            "# Decimal numbers are exact: write them as numbers (0.35) or strings (\"0.35\").",
        ]
        for section in ConfigSchema.sections {
            lines.append("")
            lines.append("[\(section.name)]")
            lines.append("# \(section.comment)")
            for key in ConfigSchema.keys where key.section == section.name {
                lines.append("# \(key.comment)")
                lines.append("\(key.name) = \(key.defaultText)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
