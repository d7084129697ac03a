import Foundation
import SwiftletKube
import SwiftletLifecycle

/// Events survive an agent restart, as they survive a kubelet restart in the API server: the store
/// is written to `EventStoreFile` a moment after it changes (one write per burst, on the file's own
/// queue, so recording an event never waits for the disk) and read back before the pods are
/// re-adopted, so counts go on and the TTL still holds. A write that fails (a full disk) leaves the
/// events in memory; it is reported once and retried until it works.
extension EventRecorder {
    /// How long a failed write waits before the next attempt.
    static let retryDelay: Duration = .seconds(10)

    /// Reads the events file (when the recorder has one): events past the TTL are dropped, the
    /// rest are listed and updated as if the agent never stopped. Returns the problems reported.
    @discardableResult
    public func restore(now: KubeTime = .now()) async -> [String] {
        guard let file else { return [] }
        let loaded = await file.read()
        for problem in loaded.problems { logger?.error("events file: \(problem); the line is skipped") }
        if let aside = loaded.setAside { logger?.error("events file: the damaged file is kept as \(aside)") }
        var restored: [(event: Event, combined: Bool)] = []
        for line in loaded.lines.sorted(by: { $0.event.lastTimestamp < $1.event.lastTimestamp }) {
            let key = EventCorrelator.key(of: line.event, combined: line.combined)
            clock += 1
            if let existing = entries[key], existing.event.lastTimestamp > line.event.lastTimestamp { continue }
            entries[key] = Entry(event: line.event, touched: clock)
            resourceVersion = max(resourceVersion, UInt64(line.event.metadata.resourceVersion ?? "") ?? 0)
            restored.append((line.event, line.combined))
        }
        correlator.restore(restored, now: now.date)
        expire(now: now)
        while entries.count > capacity { evictLeastRecentlyUpdated() }
        logger?.info("restored \(entries.count) events from \(file.path)")
        // A damaged file was set aside: write the readable events back.
        if !loaded.problems.isEmpty { changed() }
        return loaded.problems
    }

    /// Writes pending changes now (at exit; tests).
    public func save() async {
        guard let file, unsaved else { return }
        unsaved = false
        let lines = entries.map { key, entry in
            EventStoreFile.Line(combined: { if case .combined = key { true } else { false } }(), event: entry.event)
        }
        switch await file.write(lines) {
        case .success(let left):
            if writeFailing { logger?.notice("events file \(file.path) written again") }
            writeFailing = false
            if left > 0 { logger?.warning("events file: \(left) events over \(file.sizeLimit) bytes kept in memory only") }
        case .failure(let error):
            unsaved = true
            if !writeFailing {
                logger?.error("cannot write the events file \(file.path): \(error); events are kept in memory, retrying")
            }
            writeFailing = true
            scheduleWrite(after: Self.retryDelay)
        }
    }

    /// After every change of the store.
    func changed() {
        guard file != nil else { return }
        unsaved = true
        scheduleWrite(after: writeDelay)
    }

    private func scheduleWrite(after delay: Duration) {
        guard !writeScheduled else { return }
        writeScheduled = true
        Task {
            try? await Task.sleep(for: delay)
            await self.scheduledWrite()
        }
    }

    private func scheduledWrite() async {
        writeScheduled = false
        await save()
    }
}

extension Agent {
    /// Writes the events not yet in the events file (before the daemon exits).
    public func saveEvents() async { await events.save() }
}
