import Foundation

/// Runs another source on its own thread, a few chunks ahead, so that decompression and parsing
/// use both cores. The queue is bounded: memory stays flat however long the file.
///
/// The thread pays when the reader's own thread has cycles to spare for nothing else: a dashboard
/// stepping its replay. A replay run to the end already decodes on a second thread
/// (`DecodeAhead`) while the engine works on the first; a third, inflating, fought the other two
/// for this machine's two cores (a gzipped replay took 1.25 times the unpacked one, inflating took
/// a quarter of the decoding thread's time on the critical path). So the source can be shared
/// (`isShared`): its thread rests, the reader reads (inflates) when it finds nothing ready, and another
/// thread with nothing to do (the engine's, waiting for decoded lines) reads the next chunk
/// ahead (`readAheadIfIdle`). One reads at a time, so the chunks stay in order.
///
/// A `LineReader` borrows the chunks (`borrowChunk`) and finds its lines in them where they lie,
/// so the bytes are copied once, by whichever thread reads the inner source: a plain file is read
/// this way too, so that the copy out of the page cache is made by the engine's thread while it
/// waits, not by the decoding thread, the replay's slower one.
public final class ThreadedByteSource: ByteSource, ChunkLendingSource, @unchecked Sendable {
    /// A buffer of `chunkSize` bytes, of which `count` hold data, with the inner source's progress
    /// once it was read.
    private struct Chunk {
        var bytes: UnsafeMutablePointer<UInt8>
        var count: Int
        var progress: (consumed: Int, total: Int?)
    }

    private let inner: ByteSource
    private let chunkSize: Int
    private let depth: Int
    private let condition = NSCondition()
    /// Chunks ready for the reader, in order.
    private var chunks: [Chunk] = []
    /// Buffers no longer used, kept for the next reads (at most `depth` + 2 buffers ever exist:
    /// the queue, the reader's, and the one being read into).
    private var spare: [UnsafeMutablePointer<UInt8>] = []
    private var finished = false
    private var failure: InputError?
    private var stopped = false
    /// The source is shared (see `isShared`): the thread does not touch it.
    private var shared = false
    /// Where the thread rests while the source is shared, with its own lock and copies of
    /// `shared` and `stopped`: resting on `condition`, it was woken for nothing by every chunk
    /// read and taken (a wake-up costs the waker several microseconds on this VM).
    private let parking = NSCondition()
    private var parkedWhileShared = false
    /// Stopped, or the source finished: the thread is to exit.
    private var parkingReleased = false
    /// Some thread is reading the inner source (outside the lock): no other may, yet.
    private var producing = false
    /// The reader's chunk (its buffer is the reader's until it asks for the next) and how far it
    /// has been read; `lentFrom` is where the last `borrowChunk` lent it from.
    private var current: Chunk?
    private var offset = 0
    private var lentFrom = 0
    /// The last `borrowChunk`'s bytes are out (nothing else has read since): only then does
    /// `returnLentChunk` take them back.
    private var lent = false
    /// The progress of the last chunk handed to the reader (not of what the thread read ahead).
    private var deliveredProgress: (consumed: Int, total: Int?) = (0, nil)

    public init(wrapping inner: ByteSource, chunkSize: Int = 1 << 18, depth: Int = 16) {
        self.inner = inner
        self.chunkSize = max(1, chunkSize)
        self.depth = max(1, depth)
        let thread = Thread { [self] in self.produce() }
        thread.name = "liqwatch-input"
        thread.start()
    }

    deinit {
        for chunk in chunks { chunk.bytes.deallocate() }
        for buffer in spare { buffer.deallocate() }
        current?.bytes.deallocate()
    }

    /// Lets the thread go (it holds this source until it exits): an input dropped before its
    /// end, as a dashboard's seek drops one, would otherwise keep a parked thread and its chunks.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        releaseParkedThread()
    }

    /// Whether the reader and `readAheadIfIdle`'s callers read the inner source, not the thread. Set it
    /// while no read is under way (before a decoding thread takes the reader, after it gave it back).
    public var isShared: Bool {
        get {
            condition.lock()
            defer { condition.unlock() }
            return shared
        }
        set {
            // Both under `condition` (and `parking` inside it, the only order the two are ever
            // taken in): the thread never sees one changed and not the other.
            condition.lock()
            shared = newValue
            parking.lock()
            parkedWhileShared = newValue
            parking.broadcast()
            parking.unlock()
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Shared: reads the next chunk ahead when the queue has room and no other thread is reading
    /// the source. Returns whether it did (false: nothing to do now).
    public func readAheadIfIdle() -> Bool {
        condition.lock()
        guard shared && !producing && !finished && !stopped && chunks.count < depth else {
            condition.unlock()
            return false
        }
        let buffer = takeBufferLocked()
        condition.unlock()
        settle(readInner(into: buffer), buffer: buffer, queue: true)
        return true
    }

    private func produce() {
        while true {
            parking.lock()
            while parkedWhileShared && !parkingReleased { parking.wait() }
            parking.unlock()
            condition.lock()
            while (chunks.count >= depth || producing) && !shared && !stopped && !finished { condition.wait() }
            // Shared meanwhile: back to resting.
            if shared && !stopped && !finished { condition.unlock(); continue }
            if stopped || finished { condition.unlock(); return }
            let buffer = takeBufferLocked()
            condition.unlock()
            settle(readInner(into: buffer), buffer: buffer, queue: true)
        }
    }

    /// Sets `producing` and hands out a buffer to read into. Under the lock.
    private func takeBufferLocked() -> UnsafeMutablePointer<UInt8> {
        producing = true
        return spare.popLast() ?? .allocate(capacity: chunkSize)
    }

    /// One read of the inner source (the caller has set `producing`). Not zeroed first: the
    /// source writes the bytes kept.
    private func readInner(into buffer: UnsafeMutablePointer<UInt8>) -> Result<Int, InputError> {
        do throws(InputError) { return .success(try inner.read(into: buffer, capacity: chunkSize)) }
        catch { return .failure(error) }
    }

    /// What a read of the inner source came to, recorded under the lock by whichever thread made
    /// it (`producing` set): a chunk queued for the reader (`queue`) or made the reader's own
    /// chunk at once (the reader read it itself), or the end or the error, kept so every later
    /// read says the same.
    private func settle(_ result: Result<Int, InputError>, buffer: UnsafeMutablePointer<UInt8>, queue: Bool) {
        let progress = inner.progress
        condition.lock()
        producing = false
        switch result {
        case .success(let count) where count > 0:
            let chunk = Chunk(bytes: buffer, count: count, progress: progress)
            if queue { chunks.append(chunk) } else { makeCurrentLocked(chunk) }
        case .success:
            finished = true
            spare.append(buffer)
        case .failure(let error):
            failure = error
            finished = true
            spare.append(buffer)
        }
        let ended = finished
        condition.broadcast()
        condition.unlock()
        if ended { releaseParkedThread() }
    }

    private func releaseParkedThread() {
        parking.lock()
        parkingReleased = true
        parking.broadcast()
        parking.unlock()
    }

    /// The reader moves on to `chunk`; its last chunk's buffer is free again. Under the lock.
    private func makeCurrentLocked(_ chunk: Chunk) {
        if let old = current { spare.append(old.bytes) }
        current = chunk
        offset = 0
        lentFrom = 0
        deliveredProgress = chunk.progress
    }

    /// Whether a read of the inner source has met its end or failed (for tests).
    var hasMetTheEnd: Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished
    }

    public var progress: (consumed: Int, total: Int?) {
        condition.lock()
        defer { condition.unlock() }
        return deliveredProgress
    }

    /// Makes the next chunk the reader's (`current`), waiting for it or, shared and idle,
    /// reading it here. Returns false at the end; throws the source's error once every chunk
    /// before it was taken.
    private func advance() throws(InputError) -> Bool {
        condition.lock()
        // Shared, the chunks read ahead come first, then the inner source, read here when
        // no other thread is reading it.
        while chunks.isEmpty && !finished && !stopped && (!shared || producing) { condition.wait() }
        if chunks.isEmpty {
            if finished, let error = failure {
                condition.unlock()
                throw error
            }
            // Stopped (its input dropped), its thread gone: nothing more is read.
            if stopped && !finished && !shared {
                condition.unlock()
                return false
            }
            // Shared and idle, or past what the source had when it was read ahead: read here.
            // The end is the end the reader meets when it needs more bytes, not the one the
            // thread met ahead of it: a plain recording still being written goes on being
            // replayed. Once the end was met, `finished` keeps the thread (gone) and
            // `readAheadIfIdle` from reading: only the reader does.
            let buffer = takeBufferLocked()
            condition.unlock()
            let result = readInner(into: buffer)
            settle(result, buffer: buffer, queue: false)
            switch result {
            case .success(let count) where count > 0: return true
            case .success: return false
            case .failure(let error): throw error
            }
        }
        makeCurrentLocked(chunks.removeFirst())
        condition.broadcast()
        condition.unlock()
        return true
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        lent = false
        if offset >= (current?.count ?? 0) {
            guard try advance() else { return 0 }
        }
        // `current` is only replaced by this (the reader's) thread.
        guard let chunk = current else { return 0 }
        let count = min(capacity, chunk.count - offset)
        buffer.update(from: chunk.bytes + offset, count: count)
        offset += count
        return count
    }

    public func borrowChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        lent = false
        if offset >= (current?.count ?? 0) {
            guard try advance() else { return nil }
        }
        guard let chunk = current else { return nil }
        lentFrom = offset
        offset = chunk.count
        lent = true
        return UnsafeBufferPointer(start: chunk.bytes + lentFrom, count: chunk.count - lentFrom)
    }

    public func returnLentChunk() {
        guard lent else { return }
        lent = false
        offset = lentFrom
    }
}
