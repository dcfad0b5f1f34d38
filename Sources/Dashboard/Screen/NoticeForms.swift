/// A footer notice with shorter forms: the footer shows the longest form that fits its width
/// (a jump's notice at 80 columns was cut after `no event at 2021-07-22 …`, where it landed and
/// what came next lost: operator trial). The forms travel as one string, longest first, so that a
/// notice is still a string everywhere it is compared and withdrawn.
public enum NoticeForms {
    static let separator: Character = "\u{1E}"

    /// One notice of these forms, longest first.
    public static func joined(_ forms: [String]) -> String {
        forms.filter { !$0.isEmpty }.joined(separator: String(separator))
    }

    /// The forms of a notice (one, for a plain one).
    public static func forms(of notice: String) -> [String] {
        notice.split(separator: separator, omittingEmptySubsequences: true).map(String.init)
    }

    /// The first form that fits `width` cells whole; else the last, to the words that fit.
    static func fitting(_ notice: String, width: Int) -> String {
        let forms = forms(of: notice)
        if let whole = forms.first(where: { DisplayWidth.of($0) <= width }) { return whole }
        return Format.wordsThatFit(forms.last ?? notice, width)
    }
}
