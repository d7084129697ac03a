import SwiftletSystem

/// Options of `GET …/pods/{name}/log`.
struct LogOptions: Equatable {
    var container: String?
    var follow = false
    var previous = false
    var timestamps = false
    var tailLines: Int?
    var limitBytes: Int?
    /// `sinceSeconds` / `sinceTime`, resolved to a time: earlier lines are left out.
    var since: WallTime?
}
