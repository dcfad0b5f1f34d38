import Testing
@testable import Dashboard
import RiskEngine

/// A notice with shorter forms: the footer shows the longest that fits (a jump's notice at 80
/// columns was cut after `no event at 2021-07-22 …`: operator trial).
@Suite("Footer notices with shorter forms")
struct NoticeFormsTests {
    @Test("the footer shows the longest form that fits; a plain notice is cut at its words as before")
    func footerPicksAForm() {
        let notice = NoticeForms.joined([
            "taken on 2021-07-22 (type a date for another day) · no event at 2021-07-22 23:58:21.000; paused at the one before, 2021-07-22 22:26:11.088; next 2024-08-08 23:54:15.030",
            "none at 23:58:21.000; paused at 2021-07-22 22:26:11.088; next 2024-08-08 23:54:15.030",
            "paused at 2021-07-22 22:26:11.088; next 2024-08-08 23:54:15.030"])
        #expect(NoticeForms.forms(of: notice).count == 3 && NoticeForms.forms(of: "plain") == ["plain"])
        for (width, expected) in [(200, 0), (120, 1), (80, 2)] {
            var screen = model(width: width, height: 24, engine: Engine())
            screen.show(notice: notice)
            let footer = screen.rendered().lines.last ?? ""
            #expect(footer.trimmingCharacters(in: .whitespaces) == NoticeForms.forms(of: notice)[expected], "\(width): \(footer)")
        }
        // Narrower than every form: the last, to the words that fit.
        #expect(NoticeForms.fitting(notice, width: 40) == "paused at 2021-07-22 22:26:11.088; …")
    }
}
