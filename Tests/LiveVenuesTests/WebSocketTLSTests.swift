import Foundation
import NIOSSL
import Testing
@testable import LiveVenues
import LoopbackExchange
import MarketFeeds

/// The wss:// path (every real venue): TLS with NIOSSL under the same reader, against the loopback
/// Binance serving over TLS with a certificate made for these tests.
@Suite("WebSocket over TLS", .enabled(if: SharedData.isPresent, SharedData.skipMessage), .serialized)
struct WebSocketTLSTests {
    /// A self-signed P-256 certificate for localhost and 127.0.0.1, valid until 2126 (made with
    /// `openssl req -x509 -newkey ec`); the key is for these tests only.
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIBmDCCAT6gAwIBAgIUAssC09zZtcw6VctESLd14cOhhfwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTA5MzQ0NloYDzIxMjYxMTA3
MDkzNDQ2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQC74ttDL8LA2W99aD0KJBv8Rll26b+/b3bOX6lccCHT0LiyzGEdPIJ
COjwsv0BJtIXrXTfVX5ltNk72pz1aNYeo2wwajAdBgNVHQ4EFgQUb7qSNSWIapiy
ESEcql9yp4rLEnwwHwYDVR0jBBgwFoAUb7qSNSWIapiyESEcql9yp4rLEnwwGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQCMAAwCgYIKoZIzj0E
AwIDSAAwRQIhAJK1q31AIocVE03e3pVkA1/FNZ6OrA6eoRiBo8LYWP2jAiACTxeI
mUwx+dX4G1eOsrRIFg3/Ag7RjeWS+O84D5srUA==
-----END CERTIFICATE-----
"""
    static let key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgARXBOk8gpi86OyyJ
QVWTiVT5LrCvlwlLUWaKMbogUquhRANCAAQC74ttDL8LA2W99aD0KJBv8Rll26b+
/b3bOX6lccCHT0LiyzGEdPIJCOjwsv0BJtIXrXTfVX5ltNk72pz1aNYe
-----END PRIVATE KEY-----
"""

    static func exchange() throws -> LoopbackExchange {
        let exchange = try LoopbackExchange(recording: SharedData.path("binance-usdm/btcusdt_20240808.gz"))
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)))
        server.minimumTLSVersion = .tlsv12
        exchange.tls = try NIOSSLContext(configuration: server)
        try exchange.start()
        return exchange
    }

    static func frames(_ items: [LiveItem]) -> Int {
        items.filter { if case .frame = $0 { return true } else { return false } }.count
    }

    @Test("frames arrive over TLS when the certificate is trusted (SNI localhost, full verification); cancelling closes the connection")
    func trusted() async throws {
        let exchange = try Self.exchange()
        defer { exchange.stop() }
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(Self.certificate.utf8)))
        let queue = LiveQueue()
        let behaviour = WebSocketBehaviour(message: { bytes, time, items in items.append(.frame(stream: 0, receiveTime: time, bytes: bytes)) })
        let url = exchange.webSocketURL + "/stream?streams=btcusdt@depth@100ms"
        #expect(url.hasPrefix("wss://localhost:"))
        let task = Task { try await WebSocketConnection.run(url: url, maxMessageSize: 1 << 24, queue: queue, stream: 0, behaviour: behaviour, tls: client) }
        var taken: [LiveItem] = []
        let deadline = Date().addingTimeInterval(30)
        // The exchange pings first; its pong is counted when its loop reads it, which may be later.
        while Date() < deadline && (Self.frames(taken) < 200 || exchange.snapshot.pongsReceived == 0) {
            taken += queue.take(limit: 10_000)
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        // As a session stops: the queue first (the unpaced exchange has filled it, and a reader
        // holds what it read until the queue takes it or shuts), then the source.
        queue.shutDown()
        task.cancel()
        _ = try await task.value
        guard case .connection(_, .connected) = try #require(taken.first) else {
            Issue.record("the first item is not .connected: \(String(describing: taken.first))")
            return
        }
        #expect(Self.frames(taken) >= 200)
        #expect(exchange.snapshot.pongsReceived >= 1)
    }

    @Test("an untrusted certificate is refused (the system trust roots, as in production): the connection never comes up")
    func untrusted() async throws {
        let exchange = try Self.exchange()
        defer { exchange.stop() }
        let queue = LiveQueue()
        let behaviour = WebSocketBehaviour(message: { _, _, _ in })
        await #expect(throws: (any Error).self) {
            _ = try await WebSocketConnection.run(url: exchange.webSocketURL + "/stream?streams=btcusdt@depth@100ms", maxMessageSize: 1 << 24,
                queue: queue, stream: 0, behaviour: behaviour)
        }
        #expect(queue.count == 0)
        #expect(exchange.snapshot.connections == 0)
    }
}
