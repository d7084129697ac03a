import Foundation

/// `batch/v1` CronJob: Jobs created on a cron schedule by the CronJob controller
/// (`SwiftletLifecycle/CronJobController.swift`).
public struct CronJob: KubeObject {
    public static let kind = "CronJob"
    public static let apiVersion = "batch/v1"
    public static let resource = "cronjobs"
    /// The annotation on each Job with the time it was scheduled for (RFC 3339 in the CronJob's zone).
    public static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
    /// A Job's name is `<cronjob>-<minutes>`: the API server keeps CronJob names to 52 characters.
    public static let maxNameLength = 52

    public enum ConcurrencyPolicy: String, Codable, Hashable, Sendable {
        case allow = "Allow"
        case forbid = "Forbid"
        case replace = "Replace"
    }

    public struct JobTemplateSpec: Codable, Hashable, Sendable {
        public var metadata: ObjectMeta?
        public var spec: Job.Spec

        public init(metadata: ObjectMeta? = nil, spec: Job.Spec) {
            self.metadata = metadata
            self.spec = spec
        }
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var schedule: String
        public var timeZone: String?
        public var startingDeadlineSeconds: Int64?
        public var concurrencyPolicy: ConcurrencyPolicy?
        public var suspend: Bool?
        public var jobTemplate: JobTemplateSpec
        public var successfulJobsHistoryLimit: Int32?
        public var failedJobsHistoryLimit: Int32?

        public init(schedule: String, jobTemplate: JobTemplateSpec) {
            self.schedule = schedule
            self.jobTemplate = jobTemplate
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var active: [ObjectReference]?
        public var lastScheduleTime: KubeTime?
        public var lastSuccessfulTime: KubeTime?

        public init() {}
    }

    public var apiVersion: String? = CronJob.apiVersion
    public var kind: String? = CronJob.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    public var concurrencyPolicy: ConcurrencyPolicy { spec.concurrencyPolicy ?? .allow }

    /// The zone the schedule is read in: `timeZone`, or the node's local zone.
    public var location: TimeZone? {
        guard let name = spec.timeZone else { return TimeZone.current }
        return Self.zone(name)
    }

    /// A zone from the system's zoneinfo database (Foundation reads `/usr/share/zoneinfo`).
    static func zone(_ name: String) -> TimeZone? {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains(".."), !name.contains(" ") else { return nil }
        return TimeZone(identifier: name)
    }

    /// `SetDefaults_CronJob`, and the Job defaults on the template.
    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        if spec.concurrencyPolicy == nil { spec.concurrencyPolicy = .allow }
        if spec.suspend == nil { spec.suspend = false }
        if spec.successfulJobsHistoryLimit == nil { spec.successfulJobsHistoryLimit = 3 }
        if spec.failedJobsHistoryLimit == nil { spec.failedJobsHistoryLimit = 1 }
        var template = Job(metadata: spec.jobTemplate.metadata ?? ObjectMeta(), spec: spec.jobTemplate.spec)
        template.applyDefaults()
        spec.jobTemplate.spec = template.spec
    }

    /// `ValidateCronJobCreate` (`pkg/apis/batch/validation`).
    public func validate() -> [FieldError] {
        var errs = validateObjectMeta()
        if let name = metadata.name, name.count > Self.maxNameLength {
            errs.append(.invalid("metadata.name", .string(name), "must be no more than \(Self.maxNameLength) characters"))
        }
        let schedule = spec.schedule
        if schedule.isEmpty {
            errs.append(.required("spec.schedule", ""))
        } else {
            // `validateScheduleFormat`: the parse's error, and then, independently, the TZ refusal,
            // so a schedule wrong both ways reports both.
            do { _ = try CronSchedule(parsing: schedule) } catch {
                errs.append(.invalid("spec.schedule", .string(schedule), error.description))
            }
            if schedule.contains("TZ") {
                errs.append(.invalid("spec.schedule", .string(schedule), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
            }
        }
        if let tz = spec.timeZone { errs += Self.validateTimeZone(tz) }
        if let s = spec.startingDeadlineSeconds, s < 0 {
            errs.append(.invalid("spec.startingDeadlineSeconds", .int(s), "must be greater than or equal to 0"))
        }
        for (field, value) in [("successfulJobsHistoryLimit", spec.successfulJobsHistoryLimit), ("failedJobsHistoryLimit", spec.failedJobsHistoryLimit)] {
            if let value, value < 0 { errs.append(.invalid("spec.\(field)", .int(Int64(value)), "must be greater than or equal to 0")) }
        }
        // The Job template is validated as a Job would be, below spec.jobTemplate.
        var template = Job(metadata: ObjectMeta(name: "template"), spec: spec.jobTemplate.spec)
        template.metadata.labels = spec.jobTemplate.metadata?.labels
        errs += template.validate().filter { !$0.field.hasPrefix("metadata.name") }.map { error in
            var e = error
            e.field = e.field.hasPrefix("spec.") ? "spec.jobTemplate." + e.field : "spec.jobTemplate." + e.field
            return e
        }
        return errs
    }

    /// `validateTimeZone`: a non-empty IANA name, each part of `[A-Za-z.\-_0-9+]{1,14}`, not
    /// `.`/`..` nor starting with `-`, not `Local` (any case), and loadable.
    static func validateTimeZone(_ tz: String) -> [FieldError] {
        guard !tz.isEmpty else { return [.invalid("spec.timeZone", .string(tz), "timeZone must be nil or non-empty string")] }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+")
        for part in tz.split(separator: "/", omittingEmptySubsequences: false) {
            if part == "." || part == ".." || part.hasPrefix("-") || part.isEmpty || part.count > 14 || !part.allSatisfy(allowed.contains) {
                return [.invalid("spec.timeZone", .string(tz), "unknown time zone \(tz)")]
            }
        }
        var errs: [FieldError] = []
        if tz.lowercased() == "local" {
            errs.append(
                .invalid("spec.timeZone", .string(tz), "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"))
        }
        if let problem = GoLocation.loadError(tz) { errs.append(.invalid("spec.timeZone", .string(tz), problem)) }
        return errs
    }

    public func preservingStatus(of old: any KubeObject) -> any KubeObject {
        var copy = self
        copy.status = (old as? CronJob)?.status
        return copy
    }
}

extension ObjectReference {
    /// A Job as a CronJob's `status.active` lists it.
    public init(_ job: Job) {
        self.init(kind: Job.kind, namespace: job.namespace, name: job.name, uid: job.metadata.uid)
        apiVersion = Job.apiVersion
    }
}
