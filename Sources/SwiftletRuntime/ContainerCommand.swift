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
    public static func environment(container: Container, image: ImageConfig, hostname: String) -> [String] {
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
        for variable in container.env ?? [] {
            // `$(VAR)` refers to variables defined earlier in the list (or by the image), as in Kubernetes.
            set(variable.name, expand(variable.value ?? "", values))
        }
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

    /// Kubernetes `$(VAR)` expansion (`third_party/forked/golang/expansion`): `$$` is a literal `$`,
    /// `$(NAME)` with a known NAME is replaced, anything else is left as written.
    public static func expand(_ input: String, _ values: [String: String]) -> String {
        let chars = Array(input)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "$", i + 1 < chars.count else {
                out.append(chars[i])
                i += 1
                continue
            }
            let next = chars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "(", let close = chars[(i + 2)...].firstIndex(of: ")") {
                let name = String(chars[(i + 2)..<close])
                if let value = values[name] { out += value } else { out += "$(" + name + ")" }
                i = close + 1
            } else {
                out.append("$")
                out.append(next)
                i += 2
            }
        }
        return out
    }
}
