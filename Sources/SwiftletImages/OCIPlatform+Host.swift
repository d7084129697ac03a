import Foundation

extension OCIPlatform {
    /// The platform this agent runs on, in Go's GOARCH spelling as registries use it.
    public static var host: OCIPlatform {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: name.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return fromMachine(machine)
    }

    /// uname's machine to GOARCH (+ variant), as containerd's `platforms.DefaultSpec` does.
    static func fromMachine(_ machine: String) -> OCIPlatform {
        switch machine {
        case "x86_64", "amd64": return OCIPlatform(architecture: "amd64", os: "linux")
        case "aarch64", "arm64": return OCIPlatform(architecture: "arm64", os: "linux", variant: "v8")
        case "armv7l", "armv7": return OCIPlatform(architecture: "arm", os: "linux", variant: "v7")
        case "armv6l": return OCIPlatform(architecture: "arm", os: "linux", variant: "v6")
        case "i386", "i686": return OCIPlatform(architecture: "386", os: "linux")
        case "ppc64le": return OCIPlatform(architecture: "ppc64le", os: "linux")
        case "s390x": return OCIPlatform(architecture: "s390x", os: "linux")
        case "riscv64": return OCIPlatform(architecture: "riscv64", os: "linux")
        default: return OCIPlatform(architecture: machine, os: "linux")
        }
    }

    /// How well an index entry's platform suits this (host) platform: nil when it cannot run here, higher is
    /// better. containerd's rule: OS and architecture must match; arm64 "v8" and no variant are the same; an
    /// exact variant beats a missing one.
    func score(_ candidate: OCIPlatform) -> Int? {
        guard candidate.os == os, candidate.architecture == architecture else { return nil }
        let mine = normalizedVariant, theirs = candidate.normalizedVariant
        if mine == theirs { return 2 }
        if theirs == nil { return 1 }
        // An older arm variant runs on a newer core (v6 code on a v7 host), never the reverse.
        if architecture == "arm", let mine, let theirs, theirs < mine { return 0 }
        return nil
    }

    private var normalizedVariant: String? {
        if architecture == "arm64", variant == "v8" || variant == nil { return nil }
        return variant
    }

    /// The best manifest of an index for this platform; entries without a platform are skipped (attestation
    /// manifests carry "unknown/unknown" or none). Ties keep the index order, as containerd does.
    func select(from manifests: [OCIDescriptor]) -> OCIDescriptor? {
        var best: (OCIDescriptor, Int)?
        for descriptor in manifests {
            guard let platform = descriptor.platform, let score = score(platform) else { continue }
            if best == nil || score > best!.1 { best = (descriptor, score) }
        }
        return best?.0
    }
}
