import SwiftletKube

/// The files of the kubelet's configMap, secret, downwardAPI and projected volume plugins
/// (`MakePayload`, `CollectData`), pure. Nil for volume types without a payload.
public enum VolumePayload {
    public static func make(
        _ volume: Volume, pod: Pod, status: PodStatus?, objects: ConfigObjects, allocatable: NodeAllocatable
    ) throws(VolumeSetupError) -> [String: FileProjection]? {
        func fail(_ message: String) -> VolumeSetupError { VolumeSetupError(volume: volume.name, message: message) }
        if let source = volume.configSource {
            guard let data = objects.payload(source.kind, source.name) else {
                if source.optional { return [:] }
                throw fail(source.kind.notFound(source.name))
            }
            return try keyed(data, items: source.items, mode: mode(source.defaultMode), optional: source.optional) {
                fail(source.kind.missingVolumeKey($0))
            }
        }
        if let source = volume.downwardAPI {
            return try downward(source.items ?? [], mode: mode(source.defaultMode), pod: pod, status: status, allocatable: allocatable, fail)
        }
        if let source = volume.projected {
            let defaultMode = mode(source.defaultMode)
            var payload: [String: FileProjection] = [:]
            for projection in source.sources ?? [] {
                for (kind, ref) in [(ConfigKind.configMap, projection.configMap), (.secret, projection.secret)] {
                    guard let ref else { continue }
                    let name = ref.name ?? ""
                    if let data = objects.payload(kind, name) {
                        let files = try keyed(data, items: ref.items, mode: defaultMode, optional: ref.optional == true) { fail(kind.missingVolumeKey($0)) }
                        payload.merge(files) { $1 }
                    } else if ref.optional != true {
                        throw fail(kind.notFound(name))
                    }
                }
                if let d = projection.downwardAPI {
                    payload.merge(try downward(d.items ?? [], mode: defaultMode, pod: pod, status: status, allocatable: allocatable, fail)) { $1 }
                }
            }
            return payload
        }
        return nil
    }

    static func mode(_ mode: Int32?) -> UInt32 { UInt32(mode ?? PodSpec.defaultVolumeFileMode) }

    static func keyed(
        _ data: [String: [UInt8]], items: [KeyToPath]?, mode: UInt32, optional: Bool, missing: (String) -> VolumeSetupError
    ) throws(VolumeSetupError) -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        guard let items, !items.isEmpty else {
            for (key, bytes) in data { payload[key] = FileProjection(data: bytes, mode: mode) }
            return payload
        }
        for item in items {
            guard let bytes = data[item.key] else {
                if optional { continue }
                throw missing(item.key)
            }
            payload[item.path] = FileProjection(data: bytes, mode: item.mode.map { UInt32($0) } ?? mode)
        }
        return payload
    }

    static func downward(
        _ items: [DownwardAPIVolumeFile], mode: UInt32, pod: Pod, status: PodStatus?, allocatable: NodeAllocatable,
        _ fail: (String) -> VolumeSetupError
    ) throws(VolumeSetupError) -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        for item in items {
            let value: String
            do {
                if let ref = item.fieldRef {
                    value = try DownwardAPI.fieldValue(ref, pod: pod, status: status)
                } else if let ref = item.resourceFieldRef {
                    value = try DownwardAPI.resourceValue(ref, pod: pod, container: nil, allocatable: allocatable)
                } else {
                    continue
                }
            } catch {
                throw fail(error.message)
            }
            payload[item.path] = FileProjection(data: Array(value.utf8), mode: item.mode.map { UInt32($0) } ?? mode)
        }
        return payload
    }
}
