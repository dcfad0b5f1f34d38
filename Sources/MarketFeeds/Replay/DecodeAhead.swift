import Foundation
import RiskEngine
import Synchronization

/// Decodes one input's lines on a thread of its own, a batch at a time, so that a replay run to
/// the end parses on one core while the engine works on the other. Parsing and the engine cost
/// about the same, so this nearly halves a headless replay.
///
/// The queue is bounded in lines and in bytes, so memory stays flat however long the recording and
/// however long its lines (240 book lines of 700,000 levels, 12 MB each, queued 64 batches of them:
/// 2.9 GB; attacker trial). Every line the
/// thread reads ends up in a batch: when it is stopped early it hands over the batch it was filling,
/// and it stops right after a fatal line (`--strict`) or a damaged input, so the reader it leaves
/// behind is exactly where the synchronous path would have left it.
final class DecodeAhead: @unchecked Sendable {
    /// What a run of lines decoded to, with the counts the synchronous path would have kept.
    struct Batch {
        var messages: [FeedMessage] = []
        var lines = 0
        /// The bytes of the lines decoded into it.
        var bytes = 0
        var read = 0
        var applied = 0
        var skipped = 0
        var malformed: [(line: Int, field: String)] = []
        /// The reader's position once the batch was cut, for progress.
        var fraction: Double? = nil
        /// The input ended (the decoder's held-back rows are in `messages`).
        var ended = false
        /// Why the thread stopped after this batch: the error the replay must throw once the
        /// batch's messages have been used.
        var failure: SessionError? = nil
    }

    let path: String
    let strict: Bool
    let linesPerBatch: Int
    let batchesAhead: Int
    /// A batch is handed on once its lines hold this many bytes, and the thread waits while the
    /// batches queued hold `bytesAhead` (one batch at least is always queued).
    static let bytesPerBatch = 1 << 20
    static let bytesAhead = 32 << 20
    /// The bytes of the batches queued and not taken (under the condition's lock).
    private var queuedBytes = 0
    // Owned by the decoding thread until it has exited, then by the caller again.
    private let reader: LineReader
    private(set) var decoder: any LineDecoder
    private(set) var timeGuard: TimeSpikeGuard
    private(set) var firstLine: InputLine?

    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var readyIndex = 0
    private var stopRequested = false
    private var exited = false
    /// Batches handed over, and whether the thread exited, readable without the lock: the
    /// replay's thread looks at them a while before it sleeps (see `next`).
    private let handedOver = Atomic<Int>(0)
    private let hasExited = Atomic<Bool>(false)
    /// Batches taken (by the replay's thread only).
    private var taken = 0

    init(path: String, reader: LineReader, decoder: any LineDecoder, timeGuard: TimeSpikeGuard = TimeSpikeGuard(),
        firstLine: InputLine?, strict: Bool,
        linesPerBatch: Int = 512, batchesAhead: Int = 64)
    {
        self.path = path
        self.reader = reader
        self.decoder = decoder
        self.timeGuard = timeGuard
        self.firstLine = firstLine
        self.strict = strict
        self.linesPerBatch = linesPerBatch
        self.batchesAhead = batchesAhead
        let thread = Thread { [self] in self.produce() }
        thread.name = "liqwatch-decode"
        thread.start()
    }

    /// The next batch, waiting for it; nil once the thread has exited and every batch was taken.
    /// While it waits, `idleWork` (when given) does work the decoding thread would otherwise do
    /// (inflating the input ahead), until it says there is none.
    func next(idleWork: (() -> Bool)? = nil) -> Batch? {
        // A batch takes the decoding thread about a tenth of a millisecond: the replay's thread
        // looks for it a while (yielding the core) before it sleeps on the condition, so the
        // decoding thread seldom has to wake it, a system call of several microseconds on the
        // critical path of every batch.
        var looks = 0
        while handedOver.load(ordering: .acquiring) == taken && !hasExited.load(ordering: .acquiring) && looks < 256 {
            if let idleWork, idleWork() { continue }
            looks += 1
            sched_yield()
        }
        condition.lock()
        defer { condition.unlock() }
        while readyIndex >= ready.count && !exited {
            if let idleWork {
                condition.unlock()
                let worked = idleWork()
                condition.lock()
                if worked { continue }
            }
            guard readyIndex >= ready.count && !exited else { break }
            condition.wait()
        }
        guard readyIndex < ready.count else { return nil }
        let batch = ready[readyIndex]
        ready[readyIndex] = Batch()
        readyIndex += 1
        queuedBytes -= batch.bytes
        taken += 1
        if readyIndex >= 32 {
            ready.removeFirst(readyIndex)
            readyIndex = 0
        }
        condition.broadcast()
        return batch
    }

    /// Stops the thread and waits for it to exit; returns the batches it decoded that were not
    /// taken yet, in order. Afterwards `decoder` and `firstLine` are the thread's final state.
    func stop() -> [Batch] {
        condition.lock()
        defer { condition.unlock() }
        stopRequested = true
        condition.broadcast()
        while !exited { condition.wait() }
        let rest = Array(ready[readyIndex...])
        ready = []
        queuedBytes = 0
        readyIndex = 0
        return rest
    }

    // MARK: The decoding thread

    private func produce() {
        // The decoder is worked on as a local, stored back by the hand-over that ends the thread
        // (the caller reads it then): a class property changed on every line costs a run-time
        // exclusivity check each time.
        var decoder = self.decoder
        var timeGuard = self.timeGuard
        var batch = freshBatch()
        if let first = firstLine {
            firstLine = nil
            guard decode(first, with: &decoder, &timeGuard, into: &batch) else { return }
        }
        while true {
            let line: InputLine?
            do { line = try reader.nextLine() } catch {
                batch.failure = .input(error)
                hand(over: batch, decoder: decoder, timeGuard: &timeGuard, last: true)
                return
            }
            guard let line else {
                decoder.finish(into: &batch.messages)
                batch.ended = true
                batch.fraction = reader.fraction
                hand(over: batch, decoder: decoder, timeGuard: &timeGuard, last: true)
                return
            }
            guard decode(line, with: &decoder, &timeGuard, into: &batch) else { return }
        }
    }

    /// Decodes one line into the batch, and hands the batch over when it is full. Returns false
    /// when the thread is to stop (a fatal line, or the replay asked), with the batch handed over.
    private func decode(_ line: InputLine, with decoder: inout any LineDecoder, _ timeGuard: inout TimeSpikeGuard,
        into batch: inout Batch) -> Bool
    {
        batch.lines += 1
        batch.bytes += line.count
        if line.count > 0 || line.isOverlong {
            batch.read += 1
            let before = batch.messages.count
            let outcome = line.isOverlong ? DecodeOutcome.overlongLine : decoder.decode(line.bytes, count: line.count, into: &batch.messages)
            // A held line is always in this batch: a batch is not handed on while one is held.
            if let spike = timeGuard.check(&batch.messages, from: before, line: line.number, tookEarlierTime: decoder.lastLineTookEarlierTime) {
                batch.applied -= 1
                batch.malformed.append((spike.line, spike.field))
                if strict {
                    batch.failure = .malformed(path: path, line: spike.line, field: spike.field)
                    hand(over: batch, decoder: decoder, timeGuard: &timeGuard, last: true)
                    return false
                }
            }
            switch outcome {
            case .decoded:
                batch.applied += 1
            case .skipped:
                batch.skipped += 1
            case .header:
                batch.read -= 1
            case .malformed(let field):
                batch.malformed.append((line.number, field))
                if strict {
                    batch.failure = .malformed(path: path, line: line.number, field: field)
                    hand(over: batch, decoder: decoder, timeGuard: &timeGuard, last: true)
                    return false
                }
            }
        }
        if (batch.lines >= linesPerBatch || batch.bytes >= DecodeAhead.bytesPerBatch) && !timeGuard.isHolding {
            batch.fraction = reader.fraction
            guard hand(over: batch, decoder: decoder, timeGuard: &timeGuard, last: false) else { return false }
            batch = freshBatch()
        }
        return true
    }

    private func freshBatch() -> Batch {
        var batch = Batch()
        batch.messages.reserveCapacity(linesPerBatch)
        return batch
    }

    /// Queues a batch, waiting while the queue is full, and, when the thread leaves, stores the
    /// decoder's state as it is after the batch (the caller reads it once the thread has exited). Returns false (having
    /// queued the batch anyway, so no line is lost) when the thread is to stop.
    @discardableResult
    private func hand(over batch: Batch, decoder: any LineDecoder, timeGuard: inout TimeSpikeGuard, last: Bool) -> Bool {
        // Handed on while a line is held only when the thread stops: the line goes unjudged.
        if timeGuard.isHolding { timeGuard.release() }
        self.timeGuard = timeGuard
        condition.lock()
        defer { condition.unlock() }
        while (ready.count - readyIndex >= batchesAhead || (queuedBytes >= DecodeAhead.bytesAhead && ready.count > readyIndex))
            && !stopRequested && !last { condition.wait() }
        ready.append(batch)
        queuedBytes += batch.bytes
        if last || stopRequested {
            exited = true
            // Stored only as the thread leaves (the caller reads it then): stored at every
            // hand-over, it shared the decoder's buffers, and the next line's append copied them
            // whole: a Tardis snapshot of a million rows grouped in one took 7 s, of three
            // million 77 s (attacker trial).
            self.decoder = decoder
        }
        handedOver.add(1, ordering: .releasing)
        if exited { hasExited.store(true, ordering: .releasing) }
        condition.broadcast()
        return !exited
    }
}
