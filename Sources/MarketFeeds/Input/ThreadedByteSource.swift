import Foundation

/// Runs another source on its own thread, a few chunks ahead, so that decompression and parsing
/// use both cores. The queue is bounded: memory stays flat however long the file.
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
    private var current: [UInt8] = []
    private var offset = 0
    /// The progress of the last chunk handed to the reader (not of what the thread read ahead).
    private var deliveredProgress: (consumed: Int, total: Int?) = (0, nil)

    public init(wrapping inner: ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        self.inner = inner
        self.chunkSize = chunkSize
        self.depth = depth
        let thread = Thread { [self] in self.produce() }
        thread.name = "liqwatch-input"
        thread.start()
    }

    deinit {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func produce() {
        while true {
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            let result: Result<Int, InputError> = chunk.withUnsafeMutableBufferPointer { buffer in
                do throws(InputError) { return .success(try inner.read(into: buffer.baseAddress!, capacity: chunkSize)) }
                catch { return .failure(error) }
            }
            let progress = inner.progress
            condition.lock()
            while chunks.count >= depth && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            switch result {
            case .success(let count):
                if count == 0 { finished = true } else { chunk.removeLast(chunkSize - count); chunks.append((chunk, progress)) }
            case .failure(let error):
                failure = error
                finished = true
            }
            condition.broadcast()
            condition.unlock()
            if finished { return }
        }
    }

    public var progress: (consumed: Int, total: Int?) {
        condition.lock()
        defer { condition.unlock() }
        return deliveredProgress
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        if offset >= current.count {
            condition.lock()
            while chunks.isEmpty && !finished { condition.wait() }
            if chunks.isEmpty {
                let error = failure
                condition.unlock()
                if let error { throw error }
                return 0
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
}
