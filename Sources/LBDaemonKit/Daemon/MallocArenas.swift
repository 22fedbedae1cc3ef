#if canImport(Glibc)
    import Glibc
#endif

/// How many heaps glibc's allocator keeps.
///
/// glibc gives a thread that finds the heap busy an arena of its own, up to eight per core, and
/// keeps their free pages. lbd's threads (the event loops, the task pool, the DNS server's) all
/// allocate in bursts during a cycle, and the pages freed in one arena are not reused by the
/// others: over four 100,000-node cycles (`lbbench cycle`), peak RSS grew to 414 MB with the
/// default and with two arenas, and levelled off at 334 MB with one, at no measurable cost in
/// CPU.
public enum MallocArenas {
    /// The number lbd asks for.
    public static let lbdDefault: Int32 = 1

    /// Limits glibc to `count` arenas, unless the operator set `MALLOC_ARENA_MAX` (which glibc
    /// reads itself). Call once at start, before the threads allocate. Nothing on other C
    /// libraries.
    public static func limit(to count: Int32 = lbdDefault) {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil, let mallopt else { return }
            _ = mallopt(arenaMax, count)
        #endif
    }

    #if canImport(Glibc)
        private typealias MallOpt = @convention(c) (Int32, Int32) -> Int32

        /// `M_ARENA_MAX` of malloc.h, which Swift's Glibc module does not import.
        private static let arenaMax: Int32 = -8

        /// glibc's `mallopt`, looked up because malloc.h is not in Swift's Glibc module; nil on
        /// a C library without it.
        private static let mallopt: MallOpt? = {
            // RTLD_DEFAULT is the null handle in glibc.
            guard let symbol = dlsym(nil, "mallopt") else { return nil }
            return unsafeBitCast(symbol, to: MallOpt.self)
        }()
    #endif
}
