import Foundation
import RiskEngine

/// Draws a symbol's synthetic positions on a thread of its own, in chunks, while the caller places
/// the chunks already drawn: drawing (logarithms, powers, the account names) and placing then
/// overlap on two cores. The chunks come in the order they were drawn; the generator, advanced
/// past them, comes back from `finish`.
final class SyntheticSeeding: @unchecked Sendable {
    /// Positions a chunk: small enough that placing starts at once, large enough that the hand-over
    /// costs nothing beside it.
    static let chunkSize = 8_192
    /// Chunks drawn ahead of the placing at most: drawing is the faster side, and a million
    /// positions drawn ahead would be held twice (and in the drawing thread's own malloc arena,
    /// which the process keeps after they are freed).
    static let chunksAhead = 4

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var chunks: [[PositionUpdate]] = []
    private var taken = 0
    private var done = false
    private var generator: SyntheticPositions

    init(generator: SyntheticPositions, instrument: Instrument, mark: Fixed) {
        self.generator = generator
        let thread = Thread { [self] in
            var drawing = generator
            drawing.positions(for: instrument, mark: mark, chunk: SyntheticSeeding.chunkSize) { chunk in
                condition.lock()
                while chunks.count - taken >= SyntheticSeeding.chunksAhead { condition.wait() }
                chunks.append(chunk)
                condition.signal()
                condition.unlock()
            }
            condition.lock()
            self.generator = drawing
            done = true
            condition.signal()
            condition.unlock()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The next chunk drawn, waiting for it; nil when all have been handed over.
    func next() -> [PositionUpdate]? {
        condition.lock()
        defer { condition.unlock() }
        while taken >= chunks.count && !done { condition.wait() }
        guard taken < chunks.count else { return nil }
        var chunk: [PositionUpdate] = []
        // Moved out, so the list does not keep a second reference to a chunk being placed.
        swap(&chunk, &chunks[taken])
        taken += 1
        // Room for the drawing thread to draw on.
        condition.signal()
        return chunk
    }

    /// The generator after the last chunk (call once `next` has returned nil).
    func finish() -> SyntheticPositions {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return generator
    }
}
