import Foundation
import SwiftletKube
import SwiftletLaunch
import SwiftletSystem

/// `terminationMessagePath` and `terminationMessagePolicy`, as the kubelet implements them: a fresh
/// empty file per container run, mode 0666 whatever the umask (so a container running as any
/// `runAsUser` can write it), bind-mounted at the path; read once the run has ended — its last
/// 4096 bytes — and, under `FallbackToLogsOnError`, when the run failed and the file is empty,
/// the last 80 lines of its log, at most 2048 bytes.
extension PodRuntime {
    /// The kubelet's `MaxContainerTerminationMessageLength`.
    public static let terminationMessageLimit = 4096
    /// `MaxContainerTerminationMessageLogLines` and `MaxContainerTerminationMessageLogLength`.
    public static let terminationLogLines = 80
    public static let terminationLogLimit = 2048

    func terminationMessageFile(uid: String, container: String, attempt: Int) -> String {
        runDirectory(uid: uid).containersDir + "/\(container).\(attempt).termination-log"
    }

    /// The message computed when the run ended, kept so that it is read once (and survives an agent restart).
    func terminationMessageRecord(uid: String, container: String, attempt: Int) -> String {
        runDirectory(uid: uid).containersDir + "/\(container).\(attempt).termination-message"
    }

    /// Creates the run's file and returns its bind; nil when the container asks for none.
    func prepareTerminationMessageFile(uid: String, container: Container, attempt: Int) throws -> LaunchSpec.Bind? {
        guard let destination = container.terminationMessagePath, !destination.isEmpty else { return nil }
        let dir = runDirectory(uid: uid).containersDir
        // Only this run and the previous one are ever reported (state and lastState).
        for name in FileIO.list(dir) where name.hasPrefix(container.name + ".") {
            let parts = name.split(separator: ".")
            if parts.count == 3, let old = Int(parts[1]), old < attempt - 1,
                parts[2] == "termination-log" || parts[2] == "termination-message"
            {
                unlink(dir + "/" + name)
            }
        }
        let path = terminationMessageFile(uid: uid, container: container.name, attempt: attempt)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SystemError("create", path) }
        close(fd)
        // open(2) applies the umask; the kubelet chmods for the same reason.
        guard chmod(path, 0o666) == 0 else { throw SystemError("chmod", path) }
        return LaunchSpec.Bind(source: path, destination: destination, readOnly: false)
    }

    /// The `terminated.message` of an ended run, computed the first time it is asked for.
    func terminationMessage(pod: Pod, container: Container, attempt: Int, exit: ObservedAttempt.Exit) -> String {
        let record = terminationMessageRecord(uid: pod.uid, container: container.name, attempt: attempt)
        if let kept = try? FileIO.readString(record) { return kept }
        let message = Self.terminationMessage(
            file: terminationMessageFile(uid: pod.uid, container: container.name, attempt: attempt),
            log: logPath(pod: pod, container: container.name, attempt: attempt),
            fallbackToLogs: container.terminationMessagePolicy == "FallbackToLogsOnError" && exit.exitCode != 0,
            hasFile: !(container.terminationMessagePath ?? "").isEmpty)
        // Kept beside the file; when the pod's run directory is gone there is nothing to keep it for.
        try? FileIO.writeAtomically(record, message, mode: 0o600)
        return message
    }

    /// The kubelet's `getTerminationMessage` then `readLastStringFromContainerLogs`.
    static func terminationMessage(file: String, log: String, fallbackToLogs: Bool, hasFile: Bool) -> String {
        if hasFile {
            let text = tail(of: file, bytes: terminationMessageLimit)
            if !text.isEmpty || !fallbackToLogs { return text }
        }
        guard fallbackToLogs else { return "" }
        let cursor = ContainerLogCursor(path: log)
        var assembler = CRILogAssembler(timestamps: false)
        let lines = assembler.feed(cursor.read()).suffix(terminationLogLines)
        let bytes = Array(lines.joined().suffix(terminationLogLimit))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The last `bytes` bytes of a file (`tail.ReadAtMost`); "" when it is missing.
    static func tail(of path: String, bytes limit: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return "" }
        let start = end > UInt64(limit) ? end - UInt64(limit) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `observeAttempts` with the message of every ended run the status reports.
    public func observeAttempts(pod: Pod) -> [String: [ObservedAttempt]] {
        var all = observeAttempts(uid: pod.uid)
        for container in (pod.spec.initContainers ?? []) + pod.spec.containers {
            guard var runs = all[container.name] else { continue }
            for i in runs.indices.suffix(2) {
                guard let exit = runs[i].exit, runs[i].startError == nil else { continue }
                let message = terminationMessage(pod: pod, container: container, attempt: runs[i].attempt, exit: exit)
                runs[i].exit?.message = message
            }
            all[container.name] = runs
        }
        return all
    }
}
