#if canImport(Glibc)
import Glibc
#endif
import CZlib

public enum InputError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    /// The gzip stream ended early or is damaged; `bytes` is how much was decompressed before.
    case damagedGzip(path: String, bytes: Int, reason: String)
    /// A recording could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .damagedGzip(let path, let bytes, let reason):
            return "\(path): \(reason) after \(bytes) bytes of decompressed data"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        }
    }
}

/// Something that fills buffers with bytes: a file, standard input, a gzip stream.
public protocol ByteSource: AnyObject {
    /// Reads up to `capacity` bytes into `buffer`; 0 means the end. Throws on a damaged input.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int
    /// Bytes of the underlying file consumed so far and its size, for progress (nil if unknown).
    var progress: (consumed: Int, total: Int?) { get }
}

/// A file or standard input, read with plain `read(2)`.
public final class FileByteSource: ByteSource {
    let descriptor: Int32
    let path: String
    let total: Int?
    var consumed = 0

    public init(path: String) throws(InputError) {
        self.path = path
        if path == "-" {
            descriptor = 0
            total = nil
            return
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .missing(path: path) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(path: path, reason: "it is a directory") }
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        descriptor = opened
        total = Int(info.st_size)
    }

    deinit { if descriptor > 0 { close(descriptor) } }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer, capacity)
            if count >= 0 { consumed += count; return count }
            if errno == EINTR { continue }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    public var progress: (consumed: Int, total: Int?) { (consumed, total) }

    /// Peeks at the first bytes without consuming them (files only).
    public static func startsWithGzipMagic(path: String) -> Bool {
        guard path != "-" else { return false }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var magic: (UInt8, UInt8) = (0, 0)
        let count = withUnsafeMutableBytes(of: &magic) { Glibc.read(descriptor, $0.baseAddress, 2) }
        return count == 2 && magic.0 == 0x1F && magic.1 == 0x8B
    }
}

/// Decompresses a gzip stream (several members too, as `cat a.gz b.gz` makes) with zlib.
public final class GzipByteSource: ByteSource {
    let inner: ByteSource
    let path: String
    var stream = z_stream()
    var input: UnsafeMutablePointer<UInt8>
    let inputCapacity = 1 << 18
    var inputEnded = false
    var memberEnded = false
    var produced = 0
    /// Damage found after some bytes of a read were produced: those bytes are returned first, and
    /// the error on the next call, so nothing decompressed before the damage is lost.
    var deferredError: InputError?

    public init(wrapping inner: ByteSource, path: String) throws(InputError) {
        self.inner = inner
        self.path = path
        input = .allocate(capacity: inputCapacity)
        guard czlib_inflate_init_gzip(&stream) == Z_OK else {
            input.deallocate()
            throw .unreadable(path: path, reason: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public var progress: (consumed: Int, total: Int?) { inner.progress }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        if let error = deferredError { throw error }
        do throws(InputError) {
            return try inflateInto(buffer, capacity: capacity)
        } catch {
            let count = capacity - Int(stream.avail_out)
            guard count > 0 else { throw error }
            deferredError = error
            produced += count
            return count
        }
    }

    private func inflateInto(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        stream.next_out = buffer
        stream.avail_out = UInt32(capacity)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEnded {
                let count = try inner.read(into: input, capacity: inputCapacity)
                if count == 0 { inputEnded = true } else {
                    stream.next_in = input
                    stream.avail_in = UInt32(count)
                }
            }
            if stream.avail_in == 0 && inputEnded {
                if memberEnded || produced == 0 && stream.total_in == 0 { break }
                throw .damagedGzip(path: path, bytes: produced + (capacity - Int(stream.avail_out)), reason: "truncated gzip stream")
            }
            if memberEnded {
                // Another member follows.
                inflateReset(&stream)
                memberEnded = false
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                memberEnded = true
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .damagedGzip(path: path, bytes: produced + (capacity - Int(stream.avail_out)), reason: "corrupt gzip data (\(message))")
            }
        }
        let count = capacity - Int(stream.avail_out)
        produced += count
        return count
    }
}
