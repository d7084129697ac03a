/// An architecture by its libseccomp name (`x86_64`, `aarch64`, ...). Profiles spell them as
/// `SCMP_ARCH_X86_64` (OCI), as Go's GOARCH (`amd64`, in Docker `includes.arches`) or as
/// libseccomp does; all three map here.
struct SeccompArchitecture: Hashable, Sendable, CustomStringConvertible {
    let name: String

    var description: String { name }

    static let known: Set<String> = [
        "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mips64", "mips64n32", "mipsel", "mipsel64",
        "mipsel64n32", "ppc", "ppc64", "ppc64le", "s390", "s390x", "parisc", "parisc64", "riscv64",
    ]

    private static let goNames: [String: String] = [
        "386": "x86", "i386": "x86", "i686": "x86", "amd64": "x86_64", "arm64": "aarch64",
        "mipsle": "mipsel", "mips64le": "mipsel64", "mips64p32": "mips64n32", "mips64p32le": "mipsel64n32",
    ]

    /// The architectures a kernel of this one can run natively; others cannot occur on this host,
    /// so a profile's rules for them are left out of the filter.
    private static let runnableBy: [String: Set<String>] = [
        "x86_64": ["x86_64", "x86", "x32"],
        "aarch64": ["aarch64", "arm"],
        "mips64": ["mips64", "mips64n32", "mips"],
        "mips64n32": ["mips64", "mips64n32", "mips"],
        "mipsel64": ["mipsel64", "mipsel64n32", "mipsel"],
        "mipsel64n32": ["mipsel64", "mipsel64n32", "mipsel"],
        "ppc64": ["ppc64", "ppc"],
        "s390x": ["s390x", "s390"],
        "parisc64": ["parisc64", "parisc"],
    ]

    /// Nil when `spelling` names no architecture libseccomp knows.
    init?(_ spelling: String) {
        var name = spelling
        if name.hasPrefix("SCMP_ARCH_") { name = String(name.dropFirst("SCMP_ARCH_".count)) }
        name = name.lowercased()
        name = Self.goNames[name] ?? name
        guard Self.known.contains(name) else { return nil }
        self.name = name
    }

    func canRun(_ other: SeccompArchitecture) -> Bool {
        other == self || Self.runnableBy[name, default: []].contains(other.name)
    }
}
