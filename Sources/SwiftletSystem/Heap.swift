import CSwiftletShim
#if !hasFeature(Embedded)  // swiftlet-pause (Embedded Swift) gets libc from CSwiftletShim alone
import Glibc
#endif

/// glibc's allocator, tuned for long-running processes whose memory is counted per pod.
///
/// glibc never gives back a freed page below the top of an arena on its own, so a burst of work
/// (50 pods starting at once: every sync's async frames and copies of pods) leaves its high-water
/// mark resident for good: measured in the agent at 100 pods, 11 MiB of arena pages held 5.6 MiB of
/// live allocations. `releaseFreePages` returns those pages; `limitArenas` keeps threads from each
/// growing a private arena whose free pages no other thread can reuse.
public enum Heap {
    /// malloc_trim(0): every whole free page in every arena goes back to the kernel (MADV_DONTNEED);
    /// the next allocation there faults in a zero page. Walks the free lists under each arena's lock:
    /// cheap, but not for a hot path.
    public static func releaseFreePages() {
        _ = swl_malloc_trim()
    }

    /// mallopt(M_ARENA_MAX): call before threads start allocating.
    public static func limitArenas(_ arenas: Int32) {
        _ = swl_malloc_arena_max(arenas)
    }
}
