/// One file of a configMap, secret, downwardAPI or projected volume.
public struct FileProjection: Hashable, Sendable {
    public var data: [UInt8]
    public var mode: UInt32

    public init(data: [UInt8], mode: UInt32) {
        self.data = data
        self.mode = mode
    }
}

/// Why a volume cannot be set up; the message is the kubelet's (`configmap "x" not found`,
/// `configmap references non-existent config key: k`), shown as
/// `MountVolume.SetUp failed for volume "v" : <message>` in a `FailedMount` event.
public struct VolumeSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    public var volume: String
    public var message: String

    public init(volume: String, message: String) {
        self.volume = volume
        self.message = message
    }

    public var description: String { "MountVolume.SetUp failed for volume \"\(volume)\" : \(message)" }
}

