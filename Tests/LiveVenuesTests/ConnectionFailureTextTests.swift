import Foundation
import NIOCore
import Testing
@testable import LiveVenues

/// The health view and the alerts say why a connection failed in words, whole.
@Suite("Connection failures in words")
struct ConnectionFailureTextTests {
    @Test("a system error reads as the system says it; a timeout and a closed channel in words")
    func words() {
        #expect(ConnectionFailureText.describe(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused")
        #expect(ConnectionFailureText.describe(ChannelError.connectTimeout(.seconds(10))) == "timed out connecting")
        #expect(ConnectionFailureText.describe(ChannelError.eof) == "the connection closed")
    }
}
