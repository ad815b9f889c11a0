import Crypto

/// SHA-256, streaming: swift-crypto's (BoringSSL on Linux, which uses the CPU's SHA instructions
/// where it has them).
///
/// Hearth first had its own implementation, to spare every build the compile of BoringSSL; the
/// audit's HTTP client (AsyncHTTPClient) builds it anyway now, and on a 491 MB model file BoringSSL
/// hashes several times faster than the hand-written code did (docs/BENCHMARKS.md, "Hashing").
/// Tested against the NIST vectors and against `sha256sum` on the real model files.
public struct SHA256Hasher {
    private var hasher = SHA256()

    public init() {}

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
        }
        if done == nil { hasher.update(data: Array(bytes)) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// The digest as 64 lowercase hex digits.
    public mutating func finalizeHex() -> String {
        let hex: [Character] = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(64)
        for byte in hasher.finalize() {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return out
    }
}
