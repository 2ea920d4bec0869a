extension ProcessSnapshot {
    /// The incident's evidence row (docs/JSON.md): bytes as integers.
    public var jsonValue: JSONValue {
        .object([
            "pid": .integer(Int64(pid)),
            "command": .string(command),
            "rss_bytes": .integer(Int64(clamping: residentBytes)),
            "anon_bytes": .integer(Int64(clamping: anonBytes)),
            "shmem_bytes": .integer(Int64(clamping: shmemBytes)),
            "swap_bytes": .integer(Int64(clamping: swapBytes)),
        ])
    }
}
