import Foundation

/// Runs another source on its own thread, a few chunks ahead, so that decompression and parsing
/// use both cores. The queue is bounded: memory stays flat however long the file.
///
/// The thread pays when the reader's own thread has cycles to spare for nothing else: a dashboard
/// stepping its replay. A replay run to the end already decodes on a second thread
/// (`DecodeAhead`) while the engine works on the first; a third, inflating, fought the other two
/// for this machine's two cores (a gzipped replay took 1.25 times the unpacked one, inflating took
/// a quarter of the decoding thread's time on the critical path). So the source can be shared
/// (`isShared`): its thread rests, the reader inflates when it finds nothing ready, and another
/// thread with nothing to do (the engine's, waiting for decoded lines) inflates the next chunk
/// ahead (`inflateAheadIfIdle`). One inflates at a time, so the chunks stay in order.
public final class ThreadedByteSource: ByteSource, @unchecked Sendable {
    private let inner: ByteSource
    private let chunkSize: Int
    private let depth: Int
    private let condition = NSCondition()
    /// Chunks ready for the reader, each with the inner source's progress once it was read.
    private var chunks: [(bytes: [UInt8], progress: (consumed: Int, total: Int?))] = []
    private var finished = false
    private var failure: InputError?
    private var stopped = false
    /// The source is shared (see `isShared`): the thread does not touch it.
    private var shared = false
    /// Some thread is reading the inner source (outside the lock): no other may, yet.
    private var producing = false
    private var current: [UInt8] = []
    private var offset = 0
    /// The progress of the last chunk handed to the reader (not of what the thread read ahead).
    private var deliveredProgress: (consumed: Int, total: Int?) = (0, nil)

    public init(wrapping inner: ByteSource, chunkSize: Int = 1 << 18, depth: Int = 16) {
        self.inner = inner
        self.chunkSize = chunkSize
        self.depth = depth
        let thread = Thread { [self] in self.produce() }
        thread.name = "liqwatch-input"
        thread.start()
    }

    /// Lets the thread go (it holds this source until it exits): an input dropped before its
    /// end, as a dashboard's seek drops one, would otherwise keep a parked thread and its chunks.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the reader and `inflateAheadIfIdle`'s callers inflate, not the thread. Set it
    /// while no read is under way (before a decoding thread takes the reader, after it gave it back).
    public var isShared: Bool {
        get {
            condition.lock()
            defer { condition.unlock() }
            return shared
        }
        set {
            condition.lock()
            shared = newValue
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Shared: reads the next chunk ahead when the queue has room and no other thread is reading
    /// the source. Returns whether it did (false: nothing to do now).
    public func inflateAheadIfIdle() -> Bool {
        condition.lock()
        guard shared && !producing && !finished && !stopped && chunks.count < depth else {
            condition.unlock()
            return false
        }
        producing = true
        condition.unlock()
        produceChunk()
        return true
    }

    private func produce() {
        while true {
            condition.lock()
            while (chunks.count >= depth || shared || producing) && !stopped && !finished { condition.wait() }
            if stopped || finished { condition.unlock(); return }
            producing = true
            condition.unlock()
            produceChunk()
        }
    }

    /// Reads a chunk of the inner source into the queue. The caller has set `producing`.
    private func produceChunk() {
        var result: Result<Int, InputError> = .success(0)
        // Not zeroed first: the source writes the bytes kept.
        let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
            do throws(InputError) { result = .success(try inner.read(into: buffer.baseAddress!, capacity: chunkSize)) }
            catch { result = .failure(error) }
            initialized = (try? result.get()) ?? 0
        }
        settle(result, chunk: chunk)
    }

    /// What a read of the inner source came to, recorded under the lock by whichever thread made
    /// it (`producing` set): a chunk queued for the reader (nil: the reader took the bytes itself),
    /// or the end or the error, kept so every later read says the same.
    private func settle(_ result: Result<Int, InputError>, chunk: [UInt8]?) {
        let progress = inner.progress
        condition.lock()
        producing = false
        // Bytes the reader took itself are delivered now; a chunk's, when the reader takes it.
        if chunk == nil { deliveredProgress = progress }
        switch result {
        case .success(let count):
            if count == 0 { finished = true } else if let chunk { chunks.append((chunk, progress)) }
        case .failure(let error):
            failure = error
            finished = true
        }
        condition.broadcast()
        condition.unlock()
    }

    public var progress: (consumed: Int, total: Int?) {
        condition.lock()
        defer { condition.unlock() }
        return deliveredProgress
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        if offset >= current.count {
            condition.lock()
            // Shared, the chunks read ahead come first, then the inner source, read here when
            // no other thread is reading it.
            while chunks.isEmpty && !finished && (!shared || producing) { condition.wait() }
            if chunks.isEmpty {
                if finished {
                    let error = failure
                    condition.unlock()
                    if let error { throw error }
                    return 0
                }
                // Shared and idle: the source is this thread's until `producing` is cleared.
                producing = true
                condition.unlock()
                return try readHere(into: buffer, capacity: capacity)
            }
            let next = chunks.removeFirst()
            current = next.bytes
            deliveredProgress = next.progress
            offset = 0
            condition.broadcast()
            condition.unlock()
        }
        let count = min(capacity, current.count - offset)
        current.withUnsafeBufferPointer { source in
            buffer.update(from: source.baseAddress! + offset, count: count)
        }
        offset += count
        return count
    }

    /// A read of the inner source on the reader's thread (which has set `producing`), straight
    /// into the reader's buffer.
    private func readHere(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let result: Result<Int, InputError>
        do throws(InputError) { result = .success(try inner.read(into: buffer, capacity: capacity)) } catch { result = .failure(error) }
        settle(result, chunk: nil)
        return try result.get()
    }
}
