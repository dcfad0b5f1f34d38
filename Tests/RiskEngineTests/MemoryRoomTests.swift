import Testing
@testable import RiskEngine

@Suite("The memory left for copies of a large engine")
struct MemoryRoomTests {
    @Test("on Linux the room is known and positive, and the address space in use is read")
    func readable() throws {
        #if os(Linux)
        // Read around the room: tests running beside this one free and take memory meanwhile
        // (the room once read 119 KB over a later reading of the system's).
        let before = try #require(MemoryRoom.meminfoAvailable())
        let room = try #require(MemoryRoom.available())
        let after = try #require(MemoryRoom.meminfoAvailable())
        #expect(room > 0)
        let used = try #require(MemoryRoom.virtualSize())
        #expect(used > 1_000_000, "a test process maps more than a megabyte")
        #expect(room <= max(before, after) + (256 << 20), "the room is at most what the system has available")
        #endif
    }
}
