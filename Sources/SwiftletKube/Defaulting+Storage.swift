/// Defaults of volumes and downward-API references (`SetDefaults_ConfigMapVolumeSource` and friends).
extension PodSpec {
    /// `0644`, the mode of projected files when none is given.
    public static let defaultVolumeFileMode: Int32 = 0o644

    mutating func applyStorageDefaults() {
        if var volumes {
            for i in volumes.indices { volumes[i].applyDefaults() }
            self.volumes = volumes
        }
        for i in containers.indices { containers[i].applyEnvDefaults() }
        if var inits = initContainers {
            for i in inits.indices { inits[i].applyEnvDefaults() }
            initContainers = inits
        }
    }
}

extension Volume {
    mutating func applyDefaults() {
        let mode = PodSpec.defaultVolumeFileMode
        if configMap != nil, configMap?.defaultMode == nil { configMap?.defaultMode = mode }
        if secret != nil, secret?.defaultMode == nil { secret?.defaultMode = mode }
        if var d = downwardAPI {
            if d.defaultMode == nil { d.defaultMode = mode }
            d.items = d.items?.map { $0.withDefaults() }
            downwardAPI = d
        }
        if var p = projected {
            if p.defaultMode == nil { p.defaultMode = mode }
            p.sources = p.sources?.map { source in
                var s = source
                if var d = s.downwardAPI {
                    d.items = d.items?.map { $0.withDefaults() }
                    s.downwardAPI = d
                }
                return s
            }
            projected = p
        }
        if hostPath != nil, hostPath?.type == nil { hostPath?.type = "" }
    }
}

extension DownwardAPIVolumeFile {
    func withDefaults() -> DownwardAPIVolumeFile {
        var copy = self
        if copy.fieldRef != nil, copy.fieldRef?.apiVersion?.isEmpty ?? true { copy.fieldRef?.apiVersion = "v1" }
        return copy
    }
}

extension Container {
    mutating func applyEnvDefaults() {
        guard var env else { return }
        for i in env.indices where env[i].valueFrom?.fieldRef != nil {
            if env[i].valueFrom?.fieldRef?.apiVersion?.isEmpty ?? true { env[i].valueFrom?.fieldRef?.apiVersion = "v1" }
        }
        self.env = env
    }
}
