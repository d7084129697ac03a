/// What the node offers to pods: capacity minus system and kube reservations.
public struct NodeAllocatable: Hashable, Sendable {
    public var cpuMilli: Int64
    public var memoryBytes: Int64

    public init(cpuMilli: Int64, memoryBytes: Int64) {
        self.cpuMilli = cpuMilli
        self.memoryBytes = memoryBytes
    }
}
