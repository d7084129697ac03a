// swift-tools-version: 6.1
import PackageDescription

// Targets are layered; dependencies point down only (see Docs/architecture.md):
//   swiftlet (CLI + daemon) -> SwiftletAgent -> SwiftletRuntime -> SwiftletCgroups -> SwiftletSystem -> CSwiftletShim
//   swiftlet-init -> SwiftletLaunch + SwiftletSystem (Foundation-free, statically linked)
//   swiftlet-pause -> CSwiftletShim + the SwiftletLaunch / SwiftletSystem files it compiles in (Embedded Swift)
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

// The per-pod and per-container helpers are linked statically so that each running copy
// shares nothing but the kernel's page cache and costs only its private dirty pages.
let staticExecutable: [LinkerSetting] = [.unsafeFlags(["-static-executable"])]

// The agent's release link (scripts/build-release adds --static-swift-stdlib and function sections):
// lld with packed relative relocations (DT_RELR, glibc 2.36+: the runtime's relocations no longer fill
// megabytes of resident pages), its own symbols not exported, and the functions it runs laid out
// first and together (scripts/swiftlet.order, made by scripts/make-symbol-order). Docs/benchmarks.md.
let agentReleaseLink: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/swiftlet.order",
            "-Xlinker", "--no-warn-symbol-ordering",
        ], .when(configuration: .release)),
]

// Embedded Swift (Docs/architecture.md, "Embedded Swift"): the whole module at once, as the mode
// requires; SWIFTLET_EMBEDDED makes CSwiftletShim bring libc's headers (no Glibc module).
// The link step needs the flag too, so the driver adds no Swift runtime; with
// -static-executable it adds the static stdlib directory, of which only the Unicode data tables
// (String comparison, Character properties) are used.
let embedded: [SwiftSetting] = [.enableExperimentalFeature("Embedded"), .unsafeFlags(["-wmo", "-Xcc", "-DSWIFTLET_EMBEDDED"])]
let embeddedExecutable: [LinkerSetting] = [.unsafeFlags(["-enable-experimental-feature", "Embedded", "-static-executable"])]

let package = Package(
    name: "swiftlet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .executable(name: "swiftlet-pause", targets: ["swiftlet-pause"]),
        .executable(name: "swiftlet-init", targets: ["swiftlet-init"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Linux calls Swift's Glibc module does not expose (unshare, setns, pivot_root, clone, ...).
        .target(name: "CSwiftletShim"),
        // libcap: capability sets of container processes (swiftlet-init).
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        // Foundation-free system layer shared by the agent and the per-pod helpers.
        .target(name: "SwiftletSystem", dependencies: ["CSwiftletShim"], swiftSettings: strict),
        // The launch plan the agent writes and swiftlet-pause / swiftlet-init read (Foundation-free).
        .target(name: "SwiftletLaunch", dependencies: ["SwiftletSystem"], swiftSettings: strict),
        // An Embedded Swift program: no Swift runtime, a third of the memory per pod. It cannot use
        // the (non-embedded) SwiftletSystem / SwiftletLaunch modules, so the files of theirs it needs
        // are compiled into it through symlinks in Sources/SwiftletPause/Shared (one copy of each).
        .executableTarget(
            name: "swiftlet-pause", dependencies: ["CSwiftletShim"],
            path: "Sources/SwiftletPause", swiftSettings: strict + embedded, linkerSettings: embeddedExecutable),
        .executableTarget(
            name: "swiftlet-init", dependencies: ["SwiftletSystem", "SwiftletLaunch", "CCap"],
            path: "Sources/SwiftletInit", swiftSettings: strict, linkerSettings: staticExecutable),

        // Pure core: Kubernetes types, defaulting, validation (no I/O).
        .target(name: "SwiftletKube", dependencies: ["SwiftletSystem"], swiftSettings: strict),
        // Pure lifecycle logic: phase, conditions, container states, restart back-off, planner.
        .target(name: "SwiftletLifecycle", dependencies: ["SwiftletKube"], swiftSettings: strict),
        // Manifest decoding (YAML/JSON, multi-document) and the static-pod directory source.
        .target(
            name: "SwiftletManifests",
            dependencies: ["SwiftletKube", "SwiftletSystem", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // cgroup v1 / v2 drivers, rooted at an injectable directory.
        .target(name: "SwiftletCgroups", dependencies: ["SwiftletSystem"], swiftSettings: strict),
        // libarchive: image layers and image archives; libcrypto: SHA-256 of blobs.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Image store: content-addressed OCI blobs, per-layer snapshots, references; plus plain rootfs imports.
        .target(
            name: "SwiftletImages",
            dependencies: [
                "SwiftletSystem", "CArchive", "CCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // libseccomp: compiles seccomp profiles to classic BPF in the agent (swiftlet-init only installs the bytes).
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // Seccomp profiles (OCI / Docker JSON), the RuntimeDefault profile, and their compilation to BPF.
        .target(name: "SwiftletSeccomp", dependencies: ["CSeccomp"], swiftSettings: strict),
        // CNI: network configuration lists, plugin lookup and execution, results (any CNI plugin works).
        .target(name: "SwiftletCNI", dependencies: ["SwiftletKube", "SwiftletSystem"], swiftSettings: strict),
        // Sandboxes, containers, images, logs: the imperative shell around processes.
        .target(
            name: "SwiftletRuntime",
            dependencies: [
                "SwiftletKube", "SwiftletSystem", "SwiftletLaunch", "SwiftletCgroups", "SwiftletImages", "SwiftletCNI",
                "SwiftletLifecycle", "CArchive",
            ],
            swiftSettings: strict),
        // HTTP/1.1 + JSON API on a Unix socket; depends on a protocol, not on the agent.
        .target(
            name: "SwiftletServer",
            dependencies: [
                "SwiftletKube", "SwiftletLaunch", "SwiftletSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // Blocking HTTP client for the CLI (Unix socket).
        .target(name: "SwiftletClient", dependencies: ["SwiftletKube", "SwiftletLifecycle", "SwiftletSystem"], swiftSettings: strict),
        .target(
            name: "SwiftletAgent",
            dependencies: [
                "SwiftletKube", "SwiftletLifecycle", "SwiftletManifests", "SwiftletRuntime", "SwiftletServer",
                "SwiftletCgroups", "SwiftletSeccomp",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "swiftlet",
            dependencies: [
                "SwiftletAgent", "SwiftletClient", "SwiftletManifests", "SwiftletLifecycle", "SwiftletImages",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SwiftletCLI", swiftSettings: strict, linkerSettings: agentReleaseLink),
        .executableTarget(
            name: "swiftlet-bench",
            dependencies: ["SwiftletClient", "SwiftletKube", "SwiftletSystem", "SwiftletCgroups"],
            path: "Sources/SwiftletBench", swiftSettings: strict),
        // Fuzz targets (manifests; image layers) and their drivers: libFuzzer under scripts/fuzz
        // (`--sanitize fuzzer`, separate scratch path), corpus replayers in the regular build.
        .target(
            name: "SwiftletFuzz", dependencies: ["SwiftletKube", "SwiftletManifests", "SwiftletImages"],
            swiftSettings: strict),
        // libFuzzer's LLVMFuzzerRunDriver, declared for the fuzz build (the symbol comes with -sanitize=fuzzer).
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "swiftlet-fuzz-manifests", dependencies: ["SwiftletFuzz", "CFuzzerDriver"],
            path: "Sources/SwiftletFuzzManifests", swiftSettings: strict),
        .executableTarget(
            name: "swiftlet-fuzz-layers", dependencies: ["SwiftletFuzz", "CFuzzerDriver"],
            path: "Sources/SwiftletFuzzLayers", swiftSettings: strict),

        // Helpers shared by the unit test targets (temp directories).
        .target(name: "SwiftletTestSupport", path: "Tests/SwiftletTestSupport", swiftSettings: strict),
        .testTarget(name: "SwiftletFuzzTests", dependencies: ["SwiftletFuzz"]),
        .testTarget(name: "SwiftletKubeTests", dependencies: ["SwiftletKube", "SwiftletManifests"]),
        .testTarget(name: "SwiftletLifecycleTests", dependencies: ["SwiftletLifecycle"]),
        .testTarget(name: "SwiftletLaunchTests", dependencies: ["SwiftletLaunch", "SwiftletSystem", "SwiftletRuntime", "SwiftletImages", "SwiftletKube"]),
        .testTarget(name: "SwiftletCgroupsTests", dependencies: ["SwiftletCgroups", "SwiftletImages", "SwiftletTestSupport"]),
        .testTarget(name: "SwiftletImagesTests", dependencies: ["SwiftletImages", "CArchive", "SwiftletTestSupport"]),
        .testTarget(name: "SwiftletSeccompTests", dependencies: ["SwiftletSeccomp"]),
        .testTarget(name: "SwiftletCNITests", dependencies: ["SwiftletCNI", "SwiftletKube"]),
        .testTarget(name: "SwiftletClientTests", dependencies: ["SwiftletClient", "SwiftletServer", "SwiftletKube"]),
        .testTarget(
            name: "SwiftletIntegrationTests",
            dependencies: ["SwiftletAgent", "SwiftletClient", "SwiftletKube", "SwiftletRuntime", "SwiftletCgroups"]),
    ],
    swiftLanguageModes: [.v6]
)
