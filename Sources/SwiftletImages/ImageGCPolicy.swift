import Foundation

/// The kubelet's image garbage collection policy (`pkg/kubelet/images/image_gc_manager.go`): when the image
/// filesystem's usage reaches `highThresholdPercent` (85), free enough to bring it down to
/// `lowThresholdPercent` (80), removing unused images older than `minimumAge` oldest first; images any pod
/// uses are never removed.
public struct ImageGCPolicy: Sendable, Hashable {
    public var highThresholdPercent: Int
    public var lowThresholdPercent: Int
    /// Images younger than this are never collected (the kubelet's imageMinimumGCAge, 2 min), so an image
    /// imported or pulled for a pod about to start is not removed before the pod uses it.
    public var minimumAge: TimeInterval

    public init(highThresholdPercent: Int = 85, lowThresholdPercent: Int = 80, minimumAge: TimeInterval = 120) {
        self.highThresholdPercent = highThresholdPercent
        self.lowThresholdPercent = lowThresholdPercent
        self.minimumAge = minimumAge
    }

    /// Bytes to free for a filesystem of `capacity` bytes with `available` free; 0 below the high mark.
    public func bytesToFree(capacity: Int64, available: Int64) -> Int64 {
        guard capacity > 0 else { return 0 }
        let usagePercent = 100 - Int(available * 100 / capacity)
        guard usagePercent >= highThresholdPercent else { return 0 }
        return capacity * Int64(100 - lowThresholdPercent) / 100 - available
    }

    /// The images to remove, in order, to free `amount` bytes: unused ones (id not in `inUse`), oldest first
    /// (ties by id, so the choice is stable), until their sizes add up to `amount`.
    public func victims(_ images: [ImageRecord], inUse: Set<String>, amount: Int64, now: Date = Date()) -> [ImageRecord] {
        guard amount > 0 else { return [] }
        var chosen: [ImageRecord] = []
        var freed: Int64 = 0
        let oldEnough = now.addingTimeInterval(-minimumAge)
        for image in images.filter({ !inUse.contains($0.id) && $0.created <= oldEnough }).sorted(by: { ($0.created, $0.id) < ($1.created, $1.id) }) {
            if freed >= amount { break }
            chosen.append(image)
            freed += image.size
        }
        return chosen
    }
}
