extension LaunchSpec {
    /// A pod volume mounted into the container by swiftlet-init, before pivot_root.
    public struct VolumeMount: Hashable, Sendable {
        /// `None`, `HostToContainer` and `Bidirectional` as the mount propagation of the bind.
        public enum Propagation: String, Hashable, Sendable {
            case `private`, rslave, rshared
        }

        /// The volume's directory (or file, for a hostPath of a file type) on the host.
        public var source: String
        /// Relative path below `source` ("" for the whole volume). swiftlet-init resolves it one
        /// component at a time with O_NOFOLLOW, so a symlink planted in the volume cannot lead out.
        public var subPath: String
        /// Inside the container, absolute.
        public var destination: String
        public var readOnly: Bool
        public var propagation: Propagation

        public init(source: String, subPath: String = "", destination: String, readOnly: Bool, propagation: Propagation = .private) {
            self.source = source
            self.subPath = subPath
            self.destination = destination
            self.readOnly = readOnly
            self.propagation = propagation
        }

        var encoded: String {
            [readOnly ? "ro" : "rw", propagation.rawValue, source, subPath, destination].joined(separator: "\t")
        }

        init(decoding raw: String) throws(DecodeError) {
            let parts = raw.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5, parts[0] == "ro" || parts[0] == "rw", let propagation = Propagation(rawValue: parts[1]),
                !parts[2].isEmpty, parts[4].hasPrefix("/")
            else { throw DecodeError.invalid("volume", raw) }
            self.init(source: parts[2], subPath: parts[3], destination: parts[4], readOnly: parts[0] == "ro", propagation: propagation)
        }
    }
}
