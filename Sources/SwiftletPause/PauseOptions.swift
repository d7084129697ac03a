import SwiftletLaunch

struct PauseOptions {
    var runDirectory: PodRunDirectory
    var hostname: String
    var initPath: String
    var sharePID: Bool
    /// `hostNetwork: true`: stay in the host's network and UTS namespaces.
    var hostNetwork: Bool
}
