import ArgumentParser
import Foundation
import Glibc
import SwiftletClient
import SwiftletKube
import SwiftletLifecycle

/// `TYPE/NAME` or `TYPE NAME` of the workload commands (`rollout`, `scale`, `set image`).
struct WorkloadTarget {
    var type: any KubeObject.Type
    var name: String

    init(_ arguments: [String], allowed: [any KubeObject.Type]) throws {
        var args = arguments
        guard let first = args.first else { throw CLIUsageError("required resource not specified") }
        args.removeFirst()
        let typeName: String
        if let slash = first.firstIndex(of: "/") {
            typeName = String(first[..<slash])
            name = String(first[first.index(after: slash)...])
        } else {
            guard let n = args.first else { throw CLIUsageError("resource(s) were provided, but no name was specified") }
            args.removeFirst()
            typeName = first
            name = n
        }
        guard args.isEmpty else { throw CLIUsageError("unexpected arguments: \(args.joined(separator: " "))") }
        guard let type = ObjectPrinter.type(named: typeName) else {
            throw CLIUsageError("the server doesn't have a resource type \"\(typeName)\"")
        }
        guard allowed.contains(where: { $0 == type }) else {
            throw CLIUsageError("no \(typeName) support: \(allowed.map { $0.resource }.joined(separator: ", ")) only")
        }
        guard !name.isEmpty else { throw CLIUsageError("resource(s) were provided, but no name was specified") }
        self.type = type
    }

    /// `deployment.apps/web`, as kubectl prints the objects it changed.
    var display: String { ObjectPrinter.qualifiedKind(type) + "/" + name }
}

/// GET, change, PUT with the read resourceVersion; a conflict re-reads and retries, as kubectl's
/// patch would not need to.
func updateObject<T: KubeObject>(
    _ api: SwiftletAPIClient, _ type: T.Type, namespace: String, name: String, _ change: (inout T) throws -> Bool
) throws -> Bool {
    for attempt in 0..<5 {
        var object = try api.getObject(type, namespace: namespace, name: name)
        guard try change(&object) else { return false }
        do {
            _ = try api.replaceObject(object)
            return true
        } catch let error as APIStatusError where error.status.code == 409 && attempt < 4 {
            continue
        }
    }
    return false
}

/// `swiftlet rollout status|history|undo|pause|resume|restart deployment/NAME`.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Manage the rollout of a Deployment or DaemonSet.",
        subcommands: [Status.self, History.self, Undo.self, Pause.self, Resume.self, Restart.self])

    struct Target: ParsableArguments {
        @OptionGroup var client: ClientOptions
        @OptionGroup var ns: NamespaceOptions
        @Argument(help: "deployment/NAME or daemonset/NAME (or: deployment NAME)") var arguments: [String] = []

        /// Deployments, and for status, history, undo and restart also DaemonSets (as kubectl).
        func resolve(daemonSets: Bool = false) throws -> WorkloadTarget {
            try WorkloadTarget(arguments, allowed: daemonSets ? [Deployment.self, DaemonSet.self] : [Deployment.self])
        }
        func deployment(_ target: WorkloadTarget) throws -> Deployment {
            try client.client.getObject(Deployment.self, namespace: ns.namespace, name: target.name)
        }
        func updateDeployment(_ target: WorkloadTarget, _ change: (inout Deployment) throws -> Bool) throws -> Bool {
            try updateObject(client.client, Deployment.self, namespace: ns.namespace, name: target.name, change)
        }

        /// `rollout pause` / `rollout resume`: kubectl says "already paused" (resumed) when nothing changes;
        /// a resumed Deployment drops the field rather than storing `false`.
        func setPaused(_ paused: Bool) throws {
            let t = try resolve()
            let changed = try updateDeployment(t) { d in
                guard (d.spec.paused == true) != paused else { return false }
                d.spec.paused = paused ? true : nil
                return true
            }
            let done = paused ? "paused" : "resumed"
            writeOut("\(t.display) \(changed ? done : "already \(done)")\n")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Watch the rollout until it completes.")
        @OptionGroup var target: Target
        @Option(name: [.short, .customLong("watch")], help: "Keep watching until the rollout is done.") var watch = true
        @Option(name: .customLong("timeout"), help: "Give up after this many seconds (0: never).") var timeout: Double = 0

        func run() async throws {
            try reportingErrors {
                let t = try target.resolve(daemonSets: true)
                let deadline = timeout > 0 ? Date().addingTimeInterval(timeout) : Date.distantFuture
                var last = ""
                while true {
                    let (message, done) = try status(t)
                    if message != last { writeOut(message) }
                    last = message
                    if done || !watch { return }
                    if Date() > deadline { throw CLIUsageError("timed out waiting for the condition") }
                    usleep(250_000)
                }
            }
        }

        func status(_ t: WorkloadTarget) throws -> (String, Bool) {
            guard t.type == DaemonSet.self else { return try RolloutStatus.message(try target.deployment(t)) }
            let ds = try target.client.client.getObject(DaemonSet.self, namespace: target.ns.namespace, name: t.name)
            switch DaemonSetController.rolloutStatus(ds) {
            case .success(let result): return result
            case .failure(let error): throw CLIUsageError(error.description)
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the revisions.")
        @OptionGroup var target: Target

        func run() async throws {
            try reportingErrors {
                let t = try target.resolve(daemonSets: true)
                let api = target.client.client
                if t.type == DaemonSet.self {
                    let ds = try api.getObject(DaemonSet.self, namespace: target.ns.namespace, name: t.name)
                    let revisions = try api.listObjects(ControllerRevision.self, namespace: target.ns.namespace)
                    writeOut(RolloutStatus.history(DaemonSetController.revisions(of: ds, in: revisions), display: t.display))
                    return
                }
                let d = try target.deployment(t)
                let sets = try api.listObjects(ReplicaSet.self, namespace: target.ns.namespace)
                writeOut(RolloutStatus.history(d, replicaSets: sets, display: t.display))
            }
        }
    }

    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll back to the previous (or a given) revision.")
        @OptionGroup var target: Target
        @Option(name: .customLong("to-revision"), help: "The revision to roll back to (0: the previous one).") var toRevision: Int64 = 0

        func run() async throws {
            try reportingErrors {
                let t = try target.resolve(daemonSets: true)
                let api = target.client.client
                if t.type == DaemonSet.self {
                    _ = try updateObject(api, DaemonSet.self, namespace: target.ns.namespace, name: t.name) { ds in
                        let revisions = try api.listObjects(ControllerRevision.self, namespace: target.ns.namespace)
                        switch DaemonSetController.rollbackTarget(ds, revisions: revisions, toRevision: toRevision) {
                        case .success(let revision):
                            ds.spec.template = revision.daemonSetTemplate
                            return true
                        case .failure(.alreadyMatches):
                            writeOut("\(t.display) skipped rollback (current template already matches revision \(toRevision))\n")
                            throw ExitCode.success
                        case .failure(let error):
                            throw CLIUsageError(error.description)
                        }
                    }
                    writeOut("\(t.display) rolled back\n")
                    return
                }
                _ = try target.updateDeployment(t) { d in
                    if d.spec.paused == true {
                        throw CLIUsageError(
                            "you cannot rollback a paused deployment; resume it first with 'swiftlet rollout resume' and try again")
                    }
                    let sets = try api.listObjects(ReplicaSet.self, namespace: target.ns.namespace)
                    switch DeploymentController.rollbackTarget(d, replicaSets: sets, toRevision: toRevision) {
                    case .success(let rs):
                        d = DeploymentController.rolledBack(d, to: rs)
                        return true
                    case .failure(.alreadyMatches(let revision)):
                        // kubectl prints this and succeeds.
                        writeOut("\(t.display) skipped rollback (current template already matches revision \(revision))\n")
                        throw ExitCode.success
                    case .failure(let error):
                        throw CLIUsageError(error.description)
                    }
                }
                writeOut("\(t.display) rolled back\n")
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop rolling out template changes.")
        @OptionGroup var target: Target

        func run() async throws {
            try reportingErrors { try target.setPaused(true) }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll out again after a pause.")
        @OptionGroup var target: Target

        func run() async throws {
            try reportingErrors { try target.setPaused(false) }
        }
    }

    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace every pod through a new rollout.")
        @OptionGroup var target: Target

        func run() async throws {
            try reportingErrors {
                let t = try target.resolve(daemonSets: true)
                // kubectl's restart: a template annotation with the time, hence a new template.
                func restarted(_ template: inout PodTemplateSpec?) {
                    var meta = template?.metadata ?? ObjectMeta()
                    var annotations = meta.annotations ?? [:]
                    annotations[DeploymentAnnotations.restartedAt] = KubeTime.now().description
                    meta.annotations = annotations
                    template?.metadata = meta
                }
                if t.type == DaemonSet.self {
                    _ = try updateObject(target.client.client, DaemonSet.self, namespace: target.ns.namespace, name: t.name) { ds in
                        restarted(&ds.spec.template)
                        return true
                    }
                } else {
                    _ = try target.updateDeployment(t) { d in
                        if d.spec.paused == true { throw CLIUsageError("can't restart paused deployment (run rollout resume first)") }
                        restarted(&d.spec.template)
                        return true
                    }
                }
                writeOut("\(t.display) restarted\n")
            }
        }
    }
}

/// kubectl's `DeploymentStatusViewer` and `rollout history` output.
enum RolloutStatus {
    static func message(_ d: Deployment) throws -> (String, Bool) {
        let s = d.status ?? Deployment.Status()
        guard (d.metadata.generation ?? 0) <= (s.observedGeneration ?? 0) else {
            return ("Waiting for deployment spec update to be observed...\n", false)
        }
        if s.condition(Deployment.Condition.progressing)?.reason == DeploymentController.timedOutReason {
            throw CLIUsageError("deployment \"\(d.name)\" exceeded its progress deadline")
        }
        let updated = s.updatedReplicas ?? 0
        if updated < d.replicas {
            return ("Waiting for deployment \"\(d.name)\" rollout to finish: \(updated) out of \(d.replicas) new replicas have been updated...\n", false)
        }
        if (s.replicas ?? 0) > updated {
            return ("Waiting for deployment \"\(d.name)\" rollout to finish: \((s.replicas ?? 0) - updated) old replicas are pending termination...\n", false)
        }
        if (s.availableReplicas ?? 0) < updated {
            return ("Waiting for deployment \"\(d.name)\" rollout to finish: \(s.availableReplicas ?? 0) of \(updated) updated replicas are available...\n", false)
        }
        return ("deployment \"\(d.name)\" successfully rolled out\n", true)
    }

    /// `DaemonSetHistoryViewer`: the ControllerRevisions with the change-cause they were made with.
    static func history(_ revisions: [ControllerRevision], display: String) -> String {
        var rows = "REVISION\tCHANGE-CAUSE\n"
        for revision in revisions {
            rows += "\(revision.revision)\t\(revision.metadata.annotations?[DeploymentAnnotations.changeCause] ?? "<none>")\n"
        }
        return display + "\n" + TabWriter.table.format(rows) + "\n"
    }

    static func history(_ d: Deployment, replicaSets: [ReplicaSet], display: String) -> String {
        let owned = replicaSets.filter { ReplicaSetController.controllerRef(of: $0.metadata)?.uid == d.metadata.uid }
        var rows = "REVISION\tCHANGE-CAUSE\n"
        var seen: Set<Int64> = []
        for rs in owned.sorted(by: { DeploymentController.revision($0) < DeploymentController.revision($1) }) {
            let revision = DeploymentController.revision(rs)
            guard revision > 0, seen.insert(revision).inserted else { continue }
            let cause = rs.metadata.annotations?[DeploymentAnnotations.changeCause] ?? "<none>"
            rows += "\(revision)\t\(cause)\n"
        }
        return display + "\n" + TabWriter.table.format(rows) + "\n"
    }
}

/// `swiftlet scale deployment/NAME|replicaset/NAME --replicas N`.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Set the replicas of a Deployment or ReplicaSet.")
    @OptionGroup var client: ClientOptions
    @OptionGroup var ns: NamespaceOptions
    @Argument(help: "deployment/NAME or replicaset/NAME") var arguments: [String] = []
    @Option(name: .customLong("replicas"), help: "The new number of replicas.") var replicas: Int32

    func run() async throws {
        try reportingErrors {
            let t = try WorkloadTarget(arguments, allowed: [Deployment.self, ReplicaSet.self])
            guard replicas >= 0 else { throw CLIUsageError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0") }
            let api = client.client
            if t.type == Deployment.self {
                _ = try updateObject(api, Deployment.self, namespace: ns.namespace, name: t.name) { d in
                    d.spec.replicas = replicas
                    return true
                }
            } else {
                _ = try updateObject(api, ReplicaSet.self, namespace: ns.namespace, name: t.name) { rs in
                    rs.spec.replicas = replicas
                    return true
                }
            }
            writeOut("\(t.display) scaled\n")
        }
    }
}

/// `swiftlet set image deployment/NAME CONTAINER=IMAGE…`.
struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a workload's template.", subcommands: [Image.self])

    struct Image: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set container images (CONTAINER=IMAGE, or *=IMAGE for all).")
        @OptionGroup var client: ClientOptions
        @OptionGroup var ns: NamespaceOptions
        @Argument(help: "deployment/NAME CONTAINER=IMAGE…") var arguments: [String] = []

        func run() async throws {
            try reportingErrors {
                let pairs = arguments.filter { $0.contains("=") }
                let target = try WorkloadTarget(arguments.filter { !$0.contains("=") }, allowed: [Deployment.self, ReplicaSet.self])
                guard !pairs.isEmpty else { throw CLIUsageError("at least one image update is required") }
                let images = pairs.map { pair -> (String, String) in
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                }
                func apply(_ template: inout PodTemplateSpec?) throws -> Bool {
                    guard var spec = template?.spec else { return false }
                    var changed = false
                    for (container, image) in images {
                        var found = false
                        for i in spec.containers.indices where container == "*" || spec.containers[i].name == container {
                            found = true
                            if spec.containers[i].image != image { spec.containers[i].image = image; changed = true }
                        }
                        for i in (spec.initContainers ?? []).indices where container == "*" || spec.initContainers?[i].name == container {
                            found = true
                            if spec.initContainers?[i].image != image { spec.initContainers?[i].image = image; changed = true }
                        }
                        if !found { throw CLIUsageError("unable to find container named \"\(container)\"") }
                    }
                    template?.spec = spec
                    return changed
                }
                let api = client.client
                let changed: Bool
                if target.type == Deployment.self {
                    changed = try updateObject(api, Deployment.self, namespace: ns.namespace, name: target.name) { try apply(&$0.spec.template) }
                } else {
                    changed = try updateObject(api, ReplicaSet.self, namespace: ns.namespace, name: target.name) { try apply(&$0.spec.template) }
                }
                if changed { writeOut("\(target.display) image updated\n") }
            }
        }
    }
}
