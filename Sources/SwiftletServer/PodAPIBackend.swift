import SwiftletKube

/// What the API server needs from the node agent. The server owns HTTP, routing, selectors,
/// watch framing and log reading; the backend owns pods, so the server can be tested with a fake.
public protocol PodAPIBackend: Sendable {
    /// Every pod, or those of one namespace.
    func listPods(namespace: String?) async -> [Pod]
    func getPod(namespace: String, name: String) async -> Pod?
    /// Admits an API-managed pod; throws `APIError` (`alreadyExists`, `invalid`, …).
    func createPod(_ pod: Pod) async throws -> Pod
    /// `PUT`: replaces the spec of an existing pod; throws `APIError`.
    func replacePod(_ pod: Pod) async throws -> Pod
    /// Starts graceful deletion and returns the pod as it is now (with `deletionTimestamp`).
    func deletePod(namespace: String, name: String, gracePeriodSeconds: Int64?) async throws -> Pod
    /// A stream that first yields `ADDED` for every existing pod, then every change.
    /// The server stops iterating (the task is cancelled) when the client goes away.
    func watchPods() async -> AsyncStream<WatchEvent>
    /// Where a container's CRI log is; throws `APIError` (e.g. the "must specify a container" 400).
    func containerLog(namespace: String, pod: String, container: String?, previous: Bool) async throws
        -> ContainerLogSource
    func listEvents(namespace: String?) async -> [Event]
    /// `ADDED` for every event kept now, then every change, until the server stops iterating.
    func watchEvents() async throws -> AsyncStream<EventWatchEvent>
    func manifestFiles() async -> [ManifestFileStatus]
    /// The kubelet's Summary API (`GET /stats/summary`); nil when the backend has no stats (404).
    func statsSummary() async -> StatsSummary?
    /// This node (`GET /api/v1/nodes[/{name}]`); nil when the backend has none.
    func node() async -> Node?
    /// Prometheus text exposition (`GET /metrics`); nil when the backend keeps no metrics (404).
    func metrics() async -> String?
    /// Called after every request with the route template (no names), for request metrics.
    func observeRequest(method: String, path: String, code: Int, seconds: Double) async
    /// `POST /apis/swiftlet.dev/v1/drain`: stop every pod gracefully, then let the daemon exit.
    /// Returns at once with what will happen; throws `APIError` when the backend cannot drain.
    func requestDrain() async throws -> String
    /// Checks an exec request (pod, container running) and returns the session to run; throws `APIError`.
    func startExec(_ request: ExecRequest) async throws -> ExecSession
    /// Checks an attach request (pod, container running, stdin enabled) and returns the session; throws `APIError`.
    func startAttach(_ request: AttachRequest) async throws -> ExecSession
    // Stored kinds (ConfigMaps, Secrets, ...), by resource name; see ObjectAPIBackend.swift.
    func listObjects(resource: String, namespace: String?) async throws -> [AnyKubeObject]
    func getObject(resource: String, namespace: String, name: String) async throws -> AnyKubeObject
    func createObject(_ object: AnyKubeObject) async throws -> AnyKubeObject
    func replaceObject(_ object: AnyKubeObject) async throws -> AnyKubeObject
    func deleteObject(resource: String, namespace: String, name: String) async throws -> AnyKubeObject
    func deleteObject(resource: String, namespace: String, name: String, orphanDependents: Bool) async throws -> AnyKubeObject
    func watchObjects(resource: String) async throws -> AsyncStream<ObjectWatchEvent>
}

extension PodAPIBackend {
    public func statsSummary() async -> StatsSummary? { nil }
    public func node() async -> Node? { nil }
    public func metrics() async -> String? { nil }
    public func observeRequest(method: String, path: String, code: Int, seconds: Double) async {}
    public func requestDrain() async throws -> String { throw APIError.pathNotFound }
    public func watchEvents() async throws -> AsyncStream<EventWatchEvent> { throw APIError.pathNotFound }
}

/// One frame of a watch: `{"type":"ADDED|MODIFIED|DELETED","object":{...}}`.
public struct WatchEvent: Codable, Sendable {
    public var type: String
    public var object: Pod

    public init(type: String, object: Pod) {
        self.type = type
        self.object = object
    }

    public static let added = "ADDED"
    public static let modified = "MODIFIED"
    public static let deleted = "DELETED"
}

/// Where a container's CRI log is and, for `follow`, how its runs go on.
public struct ContainerLogSource: Sendable {
    /// Where a followed attempt stands, asked before each read (so a final read sees everything).
    public enum FollowState: Sendable, Equatable {
        /// Running: more may be written.
        case writing
        /// Ended, or not started yet, and the container may still (re)start into the next attempt.
        case waiting
        /// The next attempt has started (or is being started): its file follows this one.
        case restarted
        /// Ended, and nothing follows (pod gone or finished, or the restart policy ends it).
        case done
    }

    /// The first file to read (the attempt's live log file).
    public var path: String
    public var attempt: Int
    /// The log file of another attempt of the same container.
    private var pathForAttempt: @Sendable (_ attempt: Int) -> String
    public var followState: @Sendable (_ attempt: Int) async -> FollowState
    /// The content of a gzipped rotated file (`<file>.gz`); without it those are skipped.
    public var inflate: (@Sendable (_ path: String) -> [UInt8]?)?

    public init(
        attempt: Int, path: @escaping @Sendable (Int) -> String,
        followState: @escaping @Sendable (Int) async -> FollowState,
        inflate: (@Sendable (String) -> [UInt8]?)? = nil
    ) {
        self.attempt = attempt
        self.path = path(attempt)
        self.pathForAttempt = path
        self.followState = followState
        self.inflate = inflate
    }

    /// One file, followed while `isRunning` (no restarts).
    public init(path: String, isRunning: @escaping @Sendable () async -> Bool) {
        self.init(attempt: 0, path: { _ in path }, followState: { _ in await isRunning() ? .writing : .done })
    }

    public func path(for attempt: Int) -> String { pathForAttempt(attempt) }
}
