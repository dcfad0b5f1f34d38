#if canImport(Glibc)
import Glibc
#endif
import CIsal
import RiskEngine

public enum InputError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    /// The gzip stream ended early or is damaged; `bytes` is how much was decompressed before.
    case damagedGzip(path: String, bytes: Int, reason: String)
    /// A recording could not be written.
    case unwritable(path: String, reason: String)

    /// One line, whatever the file's name holds.
    public var description: String { SafeText.escaped(text) }

    private var text: String {
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

/// A source that can lend its own buffers, so a reader finds its lines where the bytes lie
/// instead of copying them into a buffer of its own.
public protocol ChunkLendingSource: ByteSource {
    /// The next bytes, lent until the next call of `borrowChunk`, `read` or `returnLentChunk`;
    /// never empty; nil at the end. Throws on a damaged input once every byte before it was lent.
    func borrowChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>?
    /// Takes back the bytes the last `borrowChunk` lent, unread: `read` or `borrowChunk` give
    /// them again.
    func returnLentChunk()
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
            // The rest of the read from a regular file, so the first read is as long as any (a
            // reader that looks at its first chunk sees more than the two bytes looked at). Not
            // from a pipe or FIFO: the bytes looked at go on at once, and a read that would wait
            // (or be given up to quit) is the next one.
            guard isRegularFile, count < capacity, peekedOffset >= peeked.count else { return count }
            // A failure here is met again by the next read, after these bytes are used.
            return count + ((try? readFromDescriptor(into: buffer + count, capacity: capacity - count)) ?? 0)
        }
        return try readFromDescriptor(into: buffer, capacity: capacity)
    }

    /// Asked when a read is interrupted by a signal: true gives the read up (the dashboard says
    /// so when the signal asked it to quit). A FIFO or a pipe whose writer holds it open and
    /// sends nothing blocks the read, and with it the dashboard's thread: the first Ctrl-C or
    /// SIGTERM was noted and the read went on waiting (only a second one got the terminal back).
    /// Set once, before any file is read.
    nonisolated(unsafe) public static var givesUpInterruptedReads: @Sendable () -> Bool = { false }

    private func readFromDescriptor(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer, capacity)
            if count >= 0 { consumed += count; return count }
            if errno == EINTR {
                if FileByteSource.givesUpInterruptedReads() { throw .unreadable(path: path, reason: "the read was interrupted to quit") }
                continue
            }
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

/// Decompresses a gzip stream (several members too, as `cat a.gz b.gz` makes) with ISA-L's igzip,
/// streamed: a quarter-megabyte of input at a time, so memory stays flat however large the file.
/// Each member's CRC-32 and length are checked at its end by the library.
public final class GzipByteSource: ByteSource {
    let inner: ByteSource
    let path: String
    private let state: UnsafeMutablePointer<inflate_state>
    private var input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 1 << 18
    private var inputEnded = false
    /// Bytes of compressed input delivered so far (an empty file is not damaged).
    private var compressedRead = 0
    private var produced = 0
    /// Gzip members read to their end: an unreadable header after one is bytes appended to the
    /// file, not a damaged member.
    private var membersFinished = 0
    /// Damage found after some bytes of a read were produced: those bytes are returned first, and
    /// the error on the next call, so nothing decompressed before the damage is lost.
    private var deferredError: InputError?
    /// A member's header is next: its flags are checked before igzip reads it.
    private var atMemberStart = true

    public init(wrapping inner: ByteSource, path: String) throws(InputError) {
        self.inner = inner
        self.path = path
        guard let state = cisal_new() else { throw .unreadable(path: path, reason: "out of memory for the gzip decoder") }
        self.state = state
        input = .allocate(capacity: inputCapacity)
        cisal_set_input(state, input, 0)
    }

    deinit {
        cisal_free(state)
        input.deallocate()
    }

    public var progress: (consumed: Int, total: Int?) { inner.progress }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        if let error = deferredError { throw error }
        var written = 0
        do throws(InputError) {
            written = try inflateInto(buffer, capacity: capacity)
            return written
        } catch {
            let count = capacity - Int(cisal_output_left(state))
            guard count > 0 else { throw error }
            deferredError = error
            produced += count
            return count
        }
    }

    /// What an igzip status says, in words (`igzip_lib.h`): "igzip error -4" told the operator
    /// nothing about bytes appended after the last member.
    static func reason(status: Int32, afterMembers: Int) -> String {
        switch status {
        case cisal_incorrect_checksum(): return "corrupt gzip data (incorrect data check)"
        case -1: return "corrupt gzip data (an invalid deflate block)"
        case -2: return "corrupt gzip data (an invalid deflate symbol)"
        case -3: return "corrupt gzip data (a back-reference before the start of the data)"
        case -4 where afterMembers > 0:
            return "bytes after gzip member \(afterMembers) are not gzip data (trailing garbage; everything before them was read)"
        case -4: return "a damaged gzip header"
        // `igzip error -5` said nothing (attacker trial).
        case -5: return "a gzip header naming a compression method other than deflate"
        default: return "corrupt gzip data (igzip error \(status))"
        }
    }

    private func inflateInto(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let room = UInt32(min(capacity, Int(UInt32.max)))
        cisal_set_output(state, buffer, room)
        while cisal_output_left(state) > 0 {
            if cisal_input_left(state) == 0 && !inputEnded {
                let count = try inner.read(into: input, capacity: inputCapacity)
                if count == 0 { inputEnded = true } else { compressedRead += count }
                cisal_set_input(state, input, UInt32(count))
            }
            if cisal_member_finished(state) != 0 {
                if cisal_input_left(state) == 0 {
                    if inputEnded { break }
                    continue
                }
                // Another member follows.
                membersFinished += 1
                cisal_next_member(state)
                atMemberStart = true
            }
            // RFC 1952: a decoder must refuse a header whose reserved flag bits (0xE0) are set;
            // igzip reads past them (attacker trial: `gzip -t` refuses such a file). The header's
            // first four bytes are gathered at the front of the buffer first: a pipe's first read
            // gives the two bytes peeked to tell gzip, and a header may straddle two reads (the
            // check was skipped there, and ran on bytes past the header: review).
            if atMemberStart && cisal_input_left(state) < 4 && !inputEnded {
                var have = Int(cisal_input_left(state))
                for offset in 0..<have { input[offset] = cisal_input_byte(state, UInt32(offset)) }
                while have < 4 && !inputEnded {
                    let count = try inner.read(into: input + have, capacity: inputCapacity - have)
                    if count == 0 { inputEnded = true } else { compressedRead += count; have += count }
                }
                cisal_set_input(state, input, UInt32(have))
            }
            // Bytes after a finished member that are no gzip header are told by the library; one
            // to three of them at the file's end are too few for it to tell (they read as a
            // truncated stream: review), so they are looked at here.
            // Nor can it tell four to nine of them (fewer than a header): `echo garbage` after a
            // file read as "truncated gzip stream" (attacker trial). What does not begin with
            // gzip's magic is no member.
            let left = cisal_input_left(state)
            if atMemberStart && membersFinished > 0 && left > 0 && (inputEnded || left >= 2)
                && !(cisal_input_byte(state, 0) == 0x1f && (left < 2 || cisal_input_byte(state, 1) == 0x8b)) {
                throw .damagedGzip(path: path, bytes: produced + Int(room - cisal_output_left(state)),
                    reason: GzipByteSource.reason(status: -4, afterMembers: membersFinished))
            }
            if atMemberStart && cisal_input_left(state) >= 4 {
                atMemberStart = false
                if cisal_input_byte(state, 0) == 0x1f && cisal_input_byte(state, 1) == 0x8b && cisal_input_byte(state, 3) & 0xE0 != 0 {
                    throw .damagedGzip(path: path, bytes: produced + Int(room - cisal_output_left(state)),
                        reason: "a gzip header with reserved flag bits set (member \(membersFinished + 1))")
                }
            }
            if cisal_input_left(state) == 0 && inputEnded {
                if compressedRead == 0 { break }
                throw .damagedGzip(path: path, bytes: produced + Int(room - cisal_output_left(state)), reason: "truncated gzip stream")
            }
            let before = (cisal_input_left(state), cisal_output_left(state))
            let status = cisal_inflate(state)
            guard status == cisal_ok() else {
                let reason = GzipByteSource.reason(status: status, afterMembers: membersFinished)
                throw .damagedGzip(path: path, bytes: produced + Int(room - cisal_output_left(state)), reason: reason)
            }
            if before == (cisal_input_left(state), cisal_output_left(state)) && cisal_member_finished(state) == 0 && inputEnded {
                throw .damagedGzip(path: path, bytes: produced + Int(room - cisal_output_left(state)), reason: "truncated gzip stream")
            }
        }
        let count = Int(room - cisal_output_left(state))
        produced += count
        return count
    }
}
