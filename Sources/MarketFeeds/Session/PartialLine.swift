#if canImport(Glibc)
import Glibc
#endif

/// A line a file took only part of (a full disk, a file-size limit): the part is taken back, so
/// the file holds whole lines only (the alert log and a recording ended mid-line: attacker trial).
enum PartialLine {
    /// Truncates the last `count` bytes of a regular file written through `descriptor`, if they
    /// are its end (our offset, after our write, is its size: another writer's line after them is
    /// not cut). Whether it did (a pipe's reader has the part already).
    @discardableResult
    static func takeBack(_ count: Int, from descriptor: Int32) -> Bool {
        var status = stat()
        let ours = lseek(descriptor, 0, SEEK_CUR)
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, ours == status.st_size, ours >= off_t(count) else {
            return false
        }
        return ftruncate(descriptor, ours - off_t(count)) == 0
    }
}
