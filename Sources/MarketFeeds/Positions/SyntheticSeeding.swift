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
