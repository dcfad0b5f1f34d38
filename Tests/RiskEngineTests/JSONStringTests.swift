import Testing
@testable import RiskEngine

/// Strings in liqwatch's JSON inputs (event lines, positions and instrument files): an account or
/// symbol name must read as exactly one name. Before, a surrogate pair (what a standard encoder
/// writes for an emoji) became two U+FFFD, and so did any other pair: two accounts became one, and
/// the second's position silently replaced the first's.
@Suite("JSON strings")
struct JSONStringTests {
    static func string(_ json: String) throws -> String? {
        if case .string(let text) = try JSONValue.parse(json) { return text }
        return nil
    }

    static func string(bytes: [UInt8]) throws -> String? {
        if case .string(let text) = try JSONValue.parse(bytes: bytes) { return text }
        return nil
    }

    @Test("a surrogate pair is one character; different pairs stay different")
    func surrogatePairs() throws {
        #expect(try Self.string(#""desk\ud83d\udd25""#) == "desk🔥")
        #expect(try Self.string(#""desk\uD83D\uDE00""#) == "desk😀")
        #expect(try Self.string(#""desk\ud83d\udd25""#) != Self.string(#""desk\ud83d\ude00""#))
        #expect(try Self.string(#""caf\u00e9 \u20ac""#) == "café €")
        #expect(try Self.string(#""a\"b\\c\/d\n""#) == "a\"b\\c/d\n")
    }

    @Test("half a pair, a broken escape or bytes that are not UTF-8 are refused, not repaired", arguments: [
        #""desk\ud83d""#, #""desk\ud83dx""#, #""desk\ud83d\u0041""#, #""desk\udd25""#, #""desk\ud83d\u12""#, #""desk\uZZZZ""#,
        // No such escape in JSON: read as its letter it made "desk\q" the account "deskq".
        #""desk\q""#,
    ])
    func refused(json: String) {
        #expect(throws: JSONParseError.self) { try Self.string(json) }
    }

    @Test("invalid UTF-8 inside a string is refused (two such names would read the same once repaired)")
    func invalidUTF8() {
        let quote = UInt8(ascii: "\"")
        #expect(throws: JSONParseError.self) { try Self.string(bytes: [quote] + Array("acct".utf8) + [0xFF, quote]) }
        #expect(throws: JSONParseError.self) { try Self.string(bytes: [quote] + Array("acct".utf8) + [0xC3, quote]) }
        #expect((try? Self.string(bytes: [quote] + Array("acct".utf8) + [0xC3, 0xA9, quote])) == "accté")
    }
}
