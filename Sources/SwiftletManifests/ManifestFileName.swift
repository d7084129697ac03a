/// Whether a directory entry in the manifest directory is skipped.
///
/// Better than the kubelet, which loads every non-dot file (k8s #136962: `pod.yaml.bak`
/// silently shadows `pod.yaml`): only `*.yaml`, `*.yml` and `*.json` are read, and editor,
/// package-manager and backup leftovers are named explicitly so the rule is obvious.
public func isIgnoredManifestFileName(_ name: String) -> Bool {
    if name.isEmpty || name.hasPrefix(".") { return true }
    if name.hasSuffix("~") { return true }
    if name.hasPrefix("#") && name.hasSuffix("#") { return true }
    let leftoverSuffixes = [".swp", ".swx", ".bak", ".orig", ".tmp", ".rpmnew", ".rpmsave"]
    if leftoverSuffixes.contains(where: name.hasSuffix) { return true }
    if name.contains(".dpkg-") { return true }
    let accepted = [".yaml", ".yml", ".json"]
    return !accepted.contains(where: name.hasSuffix)
}
