#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a live source hands to the session: a raw frame exactly as received, or news about the
/// connection. `stream` is the source's index in the session.
public enum LiveItem: Sendable {
    case frame(stream: Int, receiveTime: Int64, bytes: [UInt8])
    /// A line of an operator's event stream, and where it stands in what its sender sent.
    case eventLine(stream: Int, receiveTime: Int64, bytes: [UInt8], origin: EventLineOrigin)
    /// A REST depth snapshot fetched for a symbol (raw body, recorded like a frame).
    case snapshot(stream: Int, symbol: String, receiveTime: Int64, bytes: [UInt8])
    case connection(stream: Int, ConnectionEvent)
    /// A line the source could not hand over (longer than the bound): counted as malformed.
    case malformedLine(stream: Int, receiveTime: Int64, field: String, origin: EventLineOrigin)

    /// Bytes the item holds, for the queue's byte bound.
    var byteCount: Int {
        switch self {
        case .frame(_, _, let bytes), .snapshot(_, _, _, let bytes), .eventLine(_, _, let bytes, _): return bytes.count
        case .connection, .malformedLine: return 0
        }
    }
}

/// Where an event line stands in what its sender sent: its line number there (blank lines
/// counted, so it is the number an editor shows), and the sender when the stream has several or
/// starts again (`listen://`'s publishers, a `tcp://` server's later connections). The stream's
/// own count of lines with something in them, across publishers, named a line nobody could find
/// (a file with blank lines named its 4th line as the 2nd: review).
public struct EventLineOrigin: Sendable, Equatable {
    /// 1 for the first line.
    public var line: Int
    /// "from 10.0.0.5:51234", "connection 2"; nil for a file, standard input, a first connection.
    public var sender: String?

    public init(line: Int = 0, sender: String? = nil) {
        self.line = line
        self.sender = sender
    }

    /// The stream's name and the sender, where a malformed line is said to be: `events
    /// listen://9100 (from 10.0.0.5:51234)`, which a report follows with `:3`.
    public func place(in stream: String) -> String {
        sender.map { "\(stream) (\($0))" } ?? stream
    }
}

public enum ConnectionEvent: Sendable, Equatable {
    case connecting
    case connected
    /// The connection ended; `retryIn` is the backoff before the next attempt (nil: no retry).
    case disconnected(reason: String, retryIn: Double?)
    /// A snapshot request failed; `retryAfter`: the seconds the exchange asked to wait (HTTP 429
    /// or 418 with `Retry-After`), for every request to it.
    case snapshotFailed(symbol: String, reason: String, retryAfter: Double?)
    /// A server source is bound and waits for publishers.
    case listening
    /// A server source's publishers changed: how many are connected now, and why, if not plain.
    case publishers(count: Int, note: String?)
    /// A stream with a natural end (a file read to its end and not followed, standard input closed).
    case ended
    /// The venue refused a request (an unknown symbol in a subscription, a rate limit) or warned
    /// of something (a coming service upgrade): its words, filtered, for the health view.
    case venueNotice(String)
}

/// The bounded hand-over between source threads and the one thread that owns the engine. It is
/// bounded in items and in bytes; when it is full, producers wait (back-pressure reaches the socket,
/// nothing is dropped silently). A pipe becomes readable whenever items are waiting, so the run loop
/// can sleep in poll() on the keyboard and the feed at once.
public final class LiveQueue: @unchecked Sendable {
    public let capacity: Int
    /// The most bytes of frames waiting at once (one frame larger than this still passes, alone).
    public let byteCapacity: Int
    private var queuedBytes = 0
    private let condition = NSCondition()
    private var items: [LiveItem] = []
    private var head = 0
    private var closed = false
    private var signalled = false
    /// Whether anyone has asked for the pipe (the dashboard polls it; a headless run waits on the
    /// condition instead): until then no byte is written or read, three system calls fewer per
    /// hand-over.
    private var pipeWatched = false
    private let pipeDescriptors: [Int32]

    public init(capacity: Int = 65_536, byteCapacity: Int = 256 << 20) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) == 0 {
            for descriptor in descriptors { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        }
        pipeDescriptors = descriptors
    }

    deinit {
        for descriptor in pipeDescriptors where descriptor >= 0 { close(descriptor) }
    }

    /// Readable while items are waiting (poll it with the keyboard).
    public var wakeDescriptor: Int32 {
        condition.lock()
        // Items that arrived before anyone watched make the pipe readable now.
        let wake = !pipeWatched && signalled
        pipeWatched = true
        condition.unlock()
        if wake { var byte: UInt8 = 1; _ = write(pipeDescriptors[1], &byte, 1) }
        return pipeDescriptors[0]
    }

    public var count: Int {
        condition.lock(); defer { condition.unlock() }
        return items.count - head
    }

    /// Adds an item, waiting while the queue is full. Returns false once the queue is closed.
    @discardableResult
    public func push(_ item: LiveItem) -> Bool {
        let bytes = item.byteCount
        condition.lock()
        while !closed && isFullLocked(adding: bytes) { condition.wait() }
        guard !closed else { condition.unlock(); return false }
        enqueueAndUnlock(CollectionOfOne(item), bytes: bytes)
        return true
    }

    /// Appends items under the lock, releases it, and wakes the consumer: its condition, and the
    /// pipe once per drain when someone watches it (the dashboard's poll).
    private func enqueueAndUnlock(_ added: some Collection<LiveItem>, bytes: Int) {
        items.append(contentsOf: added)
        queuedBytes += bytes
        let wake = !signalled && pipeWatched
        signalled = true
        condition.broadcast()
        condition.unlock()
        if wake { var byte: UInt8 = 1; _ = write(pipeDescriptors[1], &byte, 1) }
    }

    /// Adds an item from async code: yields instead of blocking a thread while the queue is full.
    @discardableResult
    public func pushYielding(_ item: LiveItem) async -> Bool {
        while isFull { try? await Task.sleep(nanoseconds: 1_000_000) }
        return push(item)
    }

    /// What `offer` did with a batch.
    public enum Offer: Sendable, Equatable {
        case accepted
        /// No room for the whole batch now: nothing was added; offer it again later.
        case full
        /// The queue is shut: nothing was added, nothing ever will be.
        case closed
    }

    /// Adds a whole batch at once, or nothing, without waiting: for a producer that must not block
    /// (a SwiftNIO event loop), which holds its reads while the queue is full. One lock and at most
    /// one wake of the consumer for the batch, however many items it holds. A batch larger than
    /// the bounds passes only into an empty queue, as a single large frame does.
    public func offer(_ batch: [LiveItem]) -> Offer {
        guard !batch.isEmpty else { return .accepted }
        let bytes = batch.reduce(0) { $0 + $1.byteCount }
        condition.lock()
        guard !closed else { condition.unlock(); return .closed }
        let waiting = items.count - head
        guard waiting == 0 || (waiting + batch.count <= capacity && queuedBytes + bytes <= byteCapacity) else {
            condition.unlock()
            return .full
        }
        enqueueAndUnlock(batch, bytes: bytes)
        return .accepted
    }

    private var isFull: Bool {
        condition.lock(); defer { condition.unlock() }
        return !closed && isFullLocked(adding: 0)
    }

    /// Full in items, or in bytes unless nothing waits (so a single large frame still passes).
    private func isFullLocked(adding bytes: Int) -> Bool {
        let waiting = items.count - head
        return waiting >= capacity || (waiting > 0 && queuedBytes + bytes > byteCapacity)
    }

    /// Takes up to `limit` items without waiting.
    public func take(limit: Int) -> [LiveItem] {
        condition.lock()
        let available = items.count - head
        let taken = Array(items[head..<head + min(limit, available)])
        for index in head..<head + taken.count {
            queuedBytes -= items[index].byteCount
            // The queue's copy is let go now, not when the array is next compacted.
            items[index] = .connection(stream: 0, .connecting)
        }
        head += taken.count
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
            signalled = false
            if pipeWatched { drainPipe() }
        } else if head > 4_096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        condition.unlock()
        return taken
    }

    /// Waits until an item is there, the queue closes, or `seconds` pass.
    public func wait(seconds: Double) {
        condition.lock()
        if items.count == head && !closed { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
        condition.unlock()
    }

    /// Wakes every waiting producer; later pushes are refused.
    public func shutDown() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func drainPipe() {
        // A short read emptied the pipe: no second call just to hear EAGAIN.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { sink in
            while read(pipeDescriptors[0], sink.baseAddress, sink.count) == sink.count {}
        }
    }
}
