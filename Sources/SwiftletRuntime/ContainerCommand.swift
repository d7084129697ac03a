import SwiftletImages
import SwiftletKube

/// How a container's process is put together from the pod spec and the image config.
/// Pure: the rules of the kubelet (`kuberuntime_container.go`) and the CRI runtimes.
public enum ContainerCommand {
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Kubernetes' rule: `command` replaces the image ENTRYPOINT and then only `args` follow
    /// (the image CMD is dropped); without `command`, the ENTRYPOINT stays and `args`, when set,
    /// replace the image CMD.
    public static func argv(container: Container, image: ImageConfig, environment: [String]) -> [String] {
        let env = expansionMap(environment)
        let command = container.command.map { $0.map { expand($0, env) } }
        let args = container.args.map { $0.map { expand($0, env) } }
        if let command, !command.isEmpty { return command + (args ?? []) }
        return (image.entrypoint ?? []) + (args ?? image.cmd ?? [])
    }

    /// Image env, then the container's env (later wins, as in containerd), plus PATH and HOSTNAME defaults.
    /// `$(VAR)` in the container's values refers to its earlier variables only, never the image's.
    public static func environment(container: Container, image: ImageConfig, hostname: String) -> [String] {
        environment(resolved: plainEnvironment(container), image: image, hostname: hostname)
    }

    /// The container's `value` variables expanded in order (what the kubelet does when no
    /// `valueFrom`/`envFrom` is involved); the agent resolves the full set with `EnvResolver`.
    public static func plainEnvironment(_ container: Container) -> [EnvVar] {
        var values: [String: String] = [:]
        var out: [EnvVar] = []
        for variable in container.env ?? [] {
            let value = EnvExpansion.expand(variable.value ?? "", values)
            values[variable.name] = value
            out.append(EnvVar(name: variable.name, value: value))
        }
        return out
    }

    /// Image env, then the already resolved container env (no further expansion).
    public static func environment(resolved: [EnvVar], image: ImageConfig, hostname: String) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        set("PATH", defaultPath)
        set("HOSTNAME", hostname)
        for entry in image.env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            set(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        for variable in resolved { set(variable.name, variable.value ?? "") }
        return order.compactMap { name in values[name].map { "\(name)=\($0)" } }
    }

    static func expansionMap(_ environment: [String]) -> [String: String] {
        var map: [String: String] = [:]
        for entry in environment {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            map[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return map
    }

    /// Kubernetes `$(VAR)` expansion; see `EnvExpansion`.
    public static func expand(_ input: String, _ values: [String: String]) -> String {
        EnvExpansion.expand(input, values)
    }
}
