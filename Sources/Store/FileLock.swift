import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a file (`flock`), held until `release()` or deinit; the kernel drops
/// it when the process dies, so a killed pull never leaves a stale lock behind.
///
/// Waiting polls with a non-blocking attempt instead of blocking the thread: a blocked thread of
/// Swift's small cooperative pool could starve the very download that would release the lock.
public final class FileLock: @unchecked Sendable {
    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock, waiting while another process or task holds it; `waiting` is called once if so.
    public static func acquire(_ url: URL, waiting: () -> Void = {}) async throws -> FileLock {
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError.io("cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        var announced = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(fd)
                throw StoreError.io("cannot lock \(url.path): \(message)")
            }
            if !announced { waiting(); announced = true }
            do {
                try await Task.sleep(nanoseconds: 50_000_000)
            } catch {
                close(fd)
                throw error
            }
        }
        return FileLock(descriptor: fd)
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
