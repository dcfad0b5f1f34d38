import Testing
@testable import LiqwatchConfig

@Suite("config.toml: finding the line of a key")
struct SourceLinesTests {
    @Test("keys, dotted and quoted keys, headers; lines inside multi-line values are not keys")
    func lines() {
        let lines = SourceLines("""
            [a]
            x = 1 # a comment
            "y.z" = 'w # not a comment'
            list = [
              "k = 3",
            ]
            text = \"\"\"
            fake = 4
            \"\"\"
            [b . "c d"]
            e.f = 0.35
            """)
        #expect(lines.line(of: ["a"]) == 1)
        #expect(lines.line(of: ["a", "x"]) == 2)
        #expect(lines.rawValue(of: ["a", "x"]) == "1")
        #expect(lines.line(of: ["a", "y.z"]) == 3)
        #expect(lines.rawValue(of: ["a", "y.z"]) == "'w # not a comment'")
        #expect(lines.line(of: ["a", "list"]) == 4)
        #expect(lines.keys[["a", "k"]] == nil)
        #expect(lines.keys[["a", "fake"]] == nil)
        #expect(lines.line(of: ["b", "c d"]) == 10)
        #expect(lines.line(of: ["b", "c d", "e", "f"]) == 11)
        #expect(lines.rawValue(of: ["b", "c d", "e", "f"]) == "0.35")
    }

    @Test("a quoted key with escapes is found under the name TOMLKit gives it")
    func escapedKeys() throws {
        let text = "[a]\n\"\\u001B[2J\\t\\\"x\" = 1\n"
        let lines = SourceLines(text)
        #expect(lines.line(of: ["a", "\u{1B}[2J\t\"x"]) == 2)
        let result = try read(text.replacingOccurrences(of: "[a]", with: "[dashboard]"))
        #expect(result.warnings.map(\.line) == [2])
    }

    @Test("every key of the printed default is found on the line it is printed on")
    func printedDefaultLines() {
        let text = DefaultConfig.text
        let printed = text.split(separator: "\n", omittingEmptySubsequences: false)
        let lines = SourceLines(text)
        for key in ConfigSchema.keys {
            let expected = printed.firstIndex { $0 == "\(key.name) = \(key.defaultText)" }.map { $0 + 1 }
            #expect(lines.line(of: [key.section, key.name]) == expected, "\(key.path)")
            #expect(lines.rawValue(of: [key.section, key.name]) == key.defaultText, "\(key.path)")
        }
    }
}
