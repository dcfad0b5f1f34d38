#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX socket calls the event stream needs (IPv4 and IPv6, by name or address).
enum Socket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func connect(host: String, port: UInt16) -> Result<Int32, Failure> {
        withAddresses(host: host, port: port, passive: false) { address in
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { return nil }
            if Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return descriptor }
            close(descriptor)
            return nil
        }.mapError { Failure(description: "cannot connect to \(host):\(port): \($0.description)") }
    }

    static func listen(host: String, port: UInt16) -> Result<Int32, Failure> {
        withAddresses(host: host, port: port, passive: true) { address in
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { return nil }
            var yes: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            if bind(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 && Glibc.listen(descriptor, 8) == 0 {
                return descriptor
            }
            close(descriptor)
            return nil
        }.mapError { Failure(description: "cannot listen on \(host):\(port): \($0.description)") }
    }

    /// Tries each address getaddrinfo gives until `body` returns a descriptor.
    private static func withAddresses(host: String, port: UInt16, passive: Bool, _ body: (UnsafeMutablePointer<addrinfo>) -> Int32?) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else { return .failure(Failure(description: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(list) }
        var current = list
        var lastError = "no address"
        while let address = current {
            if let descriptor = body(address) { return .success(descriptor) }
            lastError = String(cString: strerror(errno))
            current = address.pointee.ai_next
        }
        return .failure(Failure(description: lastError))
    }

    /// Whether the descriptor has something to read (or an end or error) within the time.
    static func waitReadable(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }
}
