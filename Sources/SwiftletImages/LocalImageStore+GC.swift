import Foundation

extension LocalImageStore {
    /// Capacity and available bytes of the filesystem holding the store.
    public func filesystemUsage() throws -> (capacity: Int64, available: Int64) {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { throw ImageError.fileSystem(path: directory, operation: "statvfs", errno: errno) }
        return (Int64(info.f_blocks) * Int64(info.f_frsize), Int64(info.f_bavail) * Int64(info.f_frsize))
    }

    /// Image garbage collection: above the policy's high mark, removes unused images (ids not in `inUse`)
    /// oldest first until the low mark is reached or nothing unused is left. Returns what was removed.
    public func collectImages(policy: ImageGCPolicy, inUse: Set<String>) throws -> [ImageRecord] {
        let usage = try filesystemUsage()
        let amount = policy.bytesToFree(capacity: usage.capacity, available: usage.available)
        guard amount > 0 else { return [] }
        var removed: [ImageRecord] = []
        for victim in policy.victims(try list(), inUse: inUse, amount: amount) {
            do {
                try remove(victim.id)
                removed.append(victim)
            } catch ImageError.notFound {
                continue  // removed meanwhile by someone else
            }
            let now = try filesystemUsage()
            if policy.bytesToFree(capacity: now.capacity, available: now.available) <= 0 { break }
        }
        return removed
    }
}
