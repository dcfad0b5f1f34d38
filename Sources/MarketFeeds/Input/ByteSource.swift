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
    /// A regular file, which can be opened again and read from the top (a checkpoint's restore);
    /// a pipe, a FIFO, a device or standard input cannot.
    public let isRegularFile: Bool

    public init(path: String) throws(InputError) {
        self.path = path
        if path == "-" {
            descriptor = 0
            total = nil
            isRegularFile = false
            return
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .missing(path: path) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(path: path, reason: "it is a directory") }
        let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        descriptor = opened
        isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        total = isRegularFile ? Int(info.st_size) : nil
    }

    deinit { if descriptor > 0 { close(descriptor) } }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        if peekedOffset < peeked.count {
            let count = min(capacity, peeked.count - peekedOffset)
            peeked.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + peekedOffset, count: count) }
            peekedOffset += count
            return count
        }
        return try readFromDescriptor(into: buffer, capacity: capacity)
    }

    private func readFromDescriptor(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer, capacity)
            if count >= 0 { consumed += count; return count }
            if errno == EINTR { continue }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    public var progress: (consumed: Int, total: Int?) { (consumed, total) }

    /// Bytes read ahead to look at the input's start; `read` hands them out first.
    private var peeked: [UInt8] = []
    private var peekedOffset = 0

    /// Whether the input starts with gzip's magic bytes. The bytes looked at are not lost: `read`
    /// returns them first, so this works on a pipe, a FIFO or standard input as on a file.
    public func startsWithGzipMagic() throws(InputError) -> Bool {
        var buffer: (UInt8, UInt8) = (0, 0)
        var got = 0
        while got < 2 {
            let count = try withUnsafeMutableBytes(of: &buffer) { raw throws(InputError) -> Int in
                try readFromDescriptor(into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + got, capacity: 2 - got)
            }
            if count == 0 { break }
            got += count
        }
        peeked = [buffer.0, buffer.1].prefix(got).map { $0 }
        peekedOffset = 0
        return got == 2 && buffer.0 == 0x1F && buffer.1 == 0x8B
    }

    /// Opens a recording, decompressing it when it is gzip (told by its first bytes, not its name).
    public static func open(path: String) throws(InputError) -> ByteSource {
        let file = try FileByteSource(path: path)
        if try file.startsWithGzipMagic() { return try GzipByteSource(wrapping: file, path: path) }
        return file
    }

    /// Whether `open(path:)` of this path can be repeated to read it again from the top.
    public static func isRewindable(path: String) -> Bool {
        guard path != "-" else { return false }
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
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
