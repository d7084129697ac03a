import SwiftletLaunch

struct PauseOptions {
    var runDirectory: PodRunDirectory
    var hostname: String
    var initPath: String
    var sharePID: Bool
}
