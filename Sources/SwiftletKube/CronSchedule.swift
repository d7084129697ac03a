import Foundation

/// A CronJob schedule as the controller parses it (`cron.ParseStandard` of robfig/cron v3):
/// five fields (minute, hour, day of month, month, day of week) with `*`, `?`, ranges, steps,
/// lists and month/day names, or a descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`,
/// `@daily`, `@midnight`, `@hourly`, `@every <Go duration>`). Error texts are the library's.
public struct CronSchedule: Hashable, Sendable {
    /// `@every <duration>` (the library's `ConstantDelaySchedule`): runs this many whole seconds
    /// apart (the duration truncated to seconds, at least 1); nil for a field schedule.
    public var every: Int64?

    /// Allowed values per field; bit 63 marks a field given as `*` or `?` (it matters for the
    /// day-of-month / day-of-week rule).
    public var minute: UInt64
    public var hour: UInt64
    public var dayOfMonth: UInt64
    public var month: UInt64
    public var dayOfWeek: UInt64

    static let starBit: UInt64 = 1 << 63

    struct Bounds {
        var min: Int
        var max: Int
        var names: [String: Int] = [:]
    }

    static let minutes = Bounds(min: 0, max: 59)
    static let hours = Bounds(min: 0, max: 23)
    static let days = Bounds(min: 1, max: 31)
    static let months = Bounds(
        min: 1, max: 12,
        names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12])
    static let weekdays = Bounds(min: 0, max: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    init(minute: UInt64, hour: UInt64, dayOfMonth: UInt64, month: UInt64, dayOfWeek: UInt64) {
        self.minute = minute
        self.hour = hour
        self.dayOfMonth = dayOfMonth
        self.month = month
        self.dayOfWeek = dayOfWeek
    }

    public init(parsing text: String) throws(ParseError) {
        self = try Self.parse(text)
    }

    /// `Parser.Parse`: the text as given (no trimming: `@hourly ` is no descriptor), descriptors
    /// matched exactly, fields split at any white space (`strings.Fields`).
    ///
    /// A `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix is read as the library reads it: the zone up to
    /// the first space must load (Go's `time.LoadLocation`), the rest is the schedule. The zone
    /// itself is not kept: CronJob validation refuses any schedule with `TZ` (the `timeZone` field
    /// says where a schedule is read), and reports this parse's error next to that refusal. Without
    /// a space the library slices out of range and panics; here the whole rest is the zone and no
    /// fields follow.
    static func parse(_ spec: String) throws(ParseError) -> CronSchedule {
        if spec.isEmpty { throw ParseError(description: "empty spec string") }
        guard spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") else { return try parseSchedule(spec) }
        let afterEquals = spec.index(after: spec.firstIndex(of: "=") ?? spec.startIndex)
        let space = spec.firstIndex(of: " ") ?? spec.endIndex
        let zone = String(spec[afterEquals..<max(space, afterEquals)])
        if let problem = GoLocation.loadError(zone) {
            throw ParseError(description: "provided bad location \(zone): \(problem)")
        }
        return try parseSchedule(String(spec[space...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The schedule after an optional zone prefix: a descriptor or five fields.
    private static func parseSchedule(_ spec: String) throws(ParseError) -> CronSchedule {
        if spec.hasPrefix("@") {
            switch spec {
            case "@yearly", "@annually": return try parse("0 0 1 1 *")
            case "@monthly": return try parse("0 0 1 * *")
            case "@weekly": return try parse("0 0 * * 0")
            case "@daily", "@midnight": return try parse("0 0 * * *")
            case "@hourly": return try parse("0 * * * *")
            default:
                guard spec.hasPrefix(everyPrefix) else { throw ParseError(description: "unrecognized descriptor: \(spec)") }
                do throws(GoDuration.ParseError) {
                    return every(nanoseconds: try GoDuration.nanoseconds(String(spec.dropFirst(everyPrefix.count))))
                } catch {
                    throw ParseError(description: "failed to parse duration \(spec): \(error)")
                }
            }
        }
        let fields = spec.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        return CronSchedule(
            minute: try field(fields[0], minutes), hour: try field(fields[1], hours), dayOfMonth: try field(fields[2], days),
            month: try field(fields[3], months), dayOfWeek: try field(fields[4], weekdays))
    }

    static let everyPrefix = "@every "

    /// `cron.Every`: below one second (zero and negative too) means one second; fractions of a
    /// second are dropped.
    static func every(nanoseconds: Int64) -> CronSchedule {
        var schedule = CronSchedule(minute: 0, hour: 0, dayOfMonth: 0, month: 0, dayOfWeek: 0)
        schedule.every = max(nanoseconds, 1_000_000_000) / 1_000_000_000
        return schedule
    }

    /// `getField`: a comma-separated list of ranges.
    static func field(_ text: String, _ bounds: Bounds) throws(ParseError) -> UInt64 {
        var bits: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            bits |= try range(String(part), bounds)
        }
        return bits
    }

    /// `getRange`: `*`/`?`, `N`, `N-M`, each optionally `/step` (`N/step` is `N-max/step`).
    static func range(_ expr: String, _ bounds: Bounds) throws(ParseError) -> UInt64 {
        let rangeAndStep = expr.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let singleDigit = lowAndHigh.count == 1
        var start: Int
        var end: Int
        var extra: UInt64 = 0
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = bounds.min
            end = bounds.max
            extra = starBit
        } else {
            start = try value(lowAndHigh[0], bounds)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try value(lowAndHigh[1], bounds)
            default: throw ParseError(description: "too many hyphens: \(expr)")
            }
        }
        var step = 1
        switch rangeAndStep.count {
        case 1: break
        case 2:
            step = try integer(rangeAndStep[1])
            if singleDigit { end = bounds.max }
            if step > 1 { extra = 0 }
        default: throw ParseError(description: "too many slashes: \(expr)")
        }
        if start < bounds.min { throw ParseError(description: "beginning of range (\(start)) below minimum (\(bounds.min)): \(expr)") }
        if end > bounds.max { throw ParseError(description: "end of range (\(end)) above maximum (\(bounds.max)): \(expr)") }
        if start > end { throw ParseError(description: "beginning of range (\(start)) beyond end of range (\(end)): \(expr)") }
        if step == 0 { throw ParseError(description: "step of range should be a positive number: \(expr)") }
        var bits: UInt64 = 0
        for i in stride(from: start, through: end, by: step) { bits |= 1 << UInt64(i) }
        return bits | extra
    }

    static func value(_ text: String, _ bounds: Bounds) throws(ParseError) -> Int {
        if let named = bounds.names[text.lowercased()] { return named }
        return try integer(text)
    }

    static func integer(_ text: String) throws(ParseError) -> Int {
        guard let n = Int(text) else { throw ParseError(description: "failed to parse int from \(text): strconv.Atoi: parsing \"\(text)\": invalid syntax") }
        guard n >= 0 else { throw ParseError(description: "negative number (\(n)) not allowed: \(text)") }
        return n
    }

    static func has(_ bits: UInt64, _ i: Int) -> Bool { bits & (1 << UInt64(i)) != 0 }

    /// `dayMatches`: with both day fields restricted a day matches either; with one of them `*`
    /// both must match.
    func dayMatches(day: Int, weekday: Int) -> Bool {
        let domMatch = Self.has(dayOfMonth, day)
        let dowMatch = Self.has(dayOfWeek, weekday)
        if dayOfMonth & Self.starBit != 0 || dayOfWeek & Self.starBit != 0 { return domMatch && dowMatch }
        return domMatch || dowMatch
    }

    /// `SpecSchedule.Next`: the first whole minute strictly after `date` that the schedule matches
    /// in `timeZone`; nil if none within five years (e.g. `0 0 30 2 *`). For `@every`,
    /// `ConstantDelaySchedule.Next`: `date` cut to its second, plus the delay (any zone).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        if let every {
            return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down) + TimeInterval(every))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // The next whole minute.
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        let limit = t.addingTimeInterval(5 * 366 * 86400)
        while t < limit {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: t)
            guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let weekday = c.weekday else { return nil }
            if !Self.has(self.month, month) {
                // The first minute of the next month.
                guard let startOfMonth = calendar.date(from: DateComponents(year: c.year, month: month, day: 1)),
                    let next = calendar.date(byAdding: .month, value: 1, to: startOfMonth)
                else { return nil }
                t = next
                continue
            }
            if !dayMatches(day: day, weekday: weekday - 1) {
                guard let next = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: t)) else { return nil }
                t = next
                continue
            }
            if !Self.has(self.hour, hour) {
                // The top of the next local hour, in absolute time so a DST change cannot loop.
                t = t.addingTimeInterval(TimeInterval((60 - minute) * 60))
                continue
            }
            if !Self.has(self.minute, minute) {
                t = t.addingTimeInterval(60)
                continue
            }
            return t
        }
        return nil
    }
}
