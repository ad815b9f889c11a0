import CKernels

/// Files that live in memory only (Linux's memfd_create), for pages that several mappings share
/// copy-on-write: the KV cache pages of a prompt prefix many sequences start with.
public enum MemoryFile {
    /// A new, empty memory file's descriptor (the caller closes it); nil where the system has none.
    public static func create(name: String) -> Int32? {
        let descriptor = hk_memory_file(name)
        return descriptor >= 0 ? descriptor : nil
    }
}
