/// Which config file a run reads: `--config FILE` (which must exist), else
/// `$XDG_CONFIG_HOME/liqwatch/config.toml`, else `~/.config/liqwatch/config.toml`, the last two
/// only when they exist. `--no-config` reads none.
public enum ConfigLocation: Sendable, Equatable {
    /// Named on the command line: it must be there.
    case given(String)
    /// Found at the standard place.
    case found(String)
    /// Nothing at the standard place (nil when there is no standard place: no HOME).
    case absent(lookedAt: String?)
    /// `--no-config`.
    case ignored

    public var path: String? {
        switch self {
        case .given(let path), .found(let path): return path
        case .absent, .ignored: return nil
        }
    }

    /// The standard place, by the XDG base directory rules: `XDG_CONFIG_HOME` counts only when it
    /// is an absolute path.
    public static func standardPath(environment: [String: String]) -> String? {
        if let base = environment["XDG_CONFIG_HOME"], base.hasPrefix("/") {
            return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/liqwatch/config.toml"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return (home.hasSuffix("/") ? String(home.dropLast()) : home) + "/.config/liqwatch/config.toml"
        }
        return nil
    }

    public static func choose(given: String?, ignore: Bool, environment: [String: String], exists: (String) -> Bool) -> ConfigLocation {
        if ignore { return .ignored }
        if let given { return .given(given) }
        guard let standard = standardPath(environment: environment) else { return .absent(lookedAt: nil) }
        return exists(standard) ? .found(standard) : .absent(lookedAt: standard)
    }
}
