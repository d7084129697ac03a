import Foundation

/// Writes the pod manifests the bench drops into the daemon's manifest directory.
struct Manifests {
    var directory: String

    /// A busybox pod sleeping for an hour. `terminationGracePeriodSeconds: 0` because `sleep` as
    /// PID 1 of its pid namespace ignores SIGTERM: with the default 30 s every teardown would
    /// measure the grace period, not the daemon.
    static func sleeper(name: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: default
          labels:
            app: swiftlet-bench
        spec:
          terminationGracePeriodSeconds: 0
          containers:
          - name: sleep
            image: busybox
            imagePullPolicy: Never
            command: ["sleep", "3600"]

        """
    }

    /// Two init containers (`true`) before the sleeping app container: the kubelet runs them one
    /// after the other, each to completion, before the app starts.
    static func withInits(name: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: default
          labels:
            app: swiftlet-bench
        spec:
          terminationGracePeriodSeconds: 0
          initContainers:
          - name: init1
            image: busybox
            imagePullPolicy: Never
            command: ["true"]
          - name: init2
            image: busybox
            imagePullPolicy: Never
            command: ["true"]
          containers:
          - name: sleep
            image: busybox
            imagePullPolicy: Never
            command: ["sleep", "3600"]

        """
    }

    /// A pod that writes a log line, then sleeps (the API load reads its log).
    static func talker(name: String) -> String {
        sleeper(name: name).replacingOccurrences(
            of: #"command: ["sleep", "3600"]"#, with: #"command: ["sh", "-c", "echo started; exec sleep 3600"]"#)
    }

    static func batch(names: [String], pod: (String) -> String = sleeper(name:)) -> String {
        names.map { "---\n" + pod($0) }.joined()
    }

    /// Writes a dotfile (ignored by the daemon) and renames it into place, so the daemon only
    /// ever reads a complete manifest.
    func write(_ file: String, _ text: String) throws {
        let tmp = directory + "/." + file + ".tmp"
        let path = directory + "/" + file
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        } catch {
            throw BenchError.io(path: tmp, reason: String(describing: error))
        }
        guard rename(tmp, path) == 0 else { throw BenchError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    func remove(_ file: String) throws {
        let path = directory + "/" + file
        guard unlink(path) == 0 || errno == ENOENT else {
            throw BenchError.io(path: path, reason: String(cString: strerror(errno)))
        }
    }

    func removeAll() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            unlink(directory + "/" + name)
        }
    }
}
