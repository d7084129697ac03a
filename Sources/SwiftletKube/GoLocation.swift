import Foundation

/// Go's `time.LoadLocation` as Kubernetes' CronJob validation meets it (in `cron.ParseStandard`
/// for a `TZ=` schedule prefix and for `spec.timeZone`): the error text it returns for a name.
enum GoLocation {
    /// nil when the name loads: `""` and `UTC` (UTC), `Local`, or a zone of the zoneinfo database.
    static func loadError(_ name: String) -> String? {
        if name.isEmpty || name == "UTC" || name == "Local" { return nil }
        // Go refuses these before it looks for a file.
        if name.contains("..") || name.hasPrefix("/") || name.hasPrefix("\\") { return "time: invalid location name" }
        return CronJob.zone(name) == nil ? "unknown time zone \(name)" : nil
    }
}
