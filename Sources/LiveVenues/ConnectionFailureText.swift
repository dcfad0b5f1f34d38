import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Why a connection failed, in the words of the health view and the alerts: "cannot connect to
/// 127.0.0.1:46065: connection refused", not SwiftNIO's "Connection errors:
/// SingleConnectionFailure(target: [IPv4]127.0.0.1/127.0.0.1:46065, error: ..." cut at the edge.
enum ConnectionFailureText {
    static func describe(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            let place = "\(failure.host):\(failure.port)"
            if let first = failure.connectionErrors.first { return "cannot connect to \(place): " + describe(first.error) }
            if failure.dnsAError != nil || failure.dnsAAAAError != nil { return "cannot resolve \(failure.host)" }
            return "cannot connect to \(place)"
        }
        if let io = error as? IOError { return systemText(io.errnoCode) }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return "timed out connecting"
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed: return "the connection closed"
            default: return String(describing: channel)
            }
        }
        if let tls = error as? NIOSSLError { return "TLS: \(tls)" }
        // The WebSocket handshake, in words (`upgraderDeniedUpgrade` was shown as it is named:
        // attacker trial).
        if let upgrade = error as? NIOHTTPClientUpgradeError {
            switch upgrade {
            case .upgraderDeniedUpgrade: return "the server's answer to the WebSocket handshake was not a WebSocket's (its accept key or headers)"
            case .responseProtocolNotFound: return "the server did not switch to the WebSocket protocol"
            case .invalidHTTPOrdering, .receivedResponseBeforeRequestSent: return "the server answered the WebSocket handshake out of order"
            default: return "the WebSocket handshake failed"
            }
        }
        return String(describing: error)
    }

    /// `strerror`'s text, lowercased as it reads inside a sentence ("connection refused").
    static func systemText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "system error \(code)" }
        let words = String(cString: text)
        return words.prefix(1).lowercased() + words.dropFirst()
    }
}
