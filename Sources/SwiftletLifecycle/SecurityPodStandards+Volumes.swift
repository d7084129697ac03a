import SwiftletKube

/// PSA's volume checks: `hostPathVolumes` (baseline) and `restrictedVolumes` (restricted, which
/// replaces it), with PSA's wording.
extension PodSecurityChecks {
    static let restrictedAllowedVolumeTypes: Set<String> = [
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    ]

    static func pluralize(_ one: String, _ many: String, _ count: Int) -> String { count == 1 ? one : many }

    func hostPathVolumes() -> String? {
        let bad = (spec.volumes ?? []).filter { $0.hostPath != nil }.map(\.name)
        guard !bad.isEmpty else { return nil }
        return "hostPath volumes (\(Self.pluralize("volume", "volumes", bad.count)) \(Self.quoted(bad)))"
    }

    func restrictedVolumes() -> String? {
        var bad: [String] = []
        var types = Set<String>()
        for volume in spec.volumes ?? [] {
            let restricted = volume.sourceFields.filter { !Self.restrictedAllowedVolumeTypes.contains($0) }
            guard !restricted.isEmpty else { continue }
            bad.append(volume.name)
            types.formUnion(restricted)
        }
        guard !bad.isEmpty else { return nil }
        return "restricted volume types (\(Self.pluralize("volume", "volumes", bad.count)) \(Self.quoted(bad)) "
            + "\(Self.pluralize("uses", "use", bad.count)) "
            + "\(Self.pluralize("restricted volume type", "restricted volume types", types.count)) \(Self.quoted(types.sorted())))"
    }
}
