import Testing
@testable import RiskEngine

@Suite("The memory left for copies of a large engine")
struct MemoryRoomTests {
    @Test("on Linux the room is known and positive, and the address space in use is read")
    func readable() throws {
        #if os(Linux)
        let room = try #require(MemoryRoom.available())
        #expect(room > 0)
        let used = try #require(MemoryRoom.virtualSize())
        #expect(used > 1_000_000, "a test process maps more than a megabyte")
        let system = try #require(MemoryRoom.meminfoAvailable())
        #expect(room <= system, "the room is at most what the system has available")
        #endif
    }
}
