import XCTest

@testable import SwiftletSeccomp

final class SeccompFilterPlanTests: XCTestCase {
    private let x86Host = SeccompFilterPlan.Host(native: SeccompArchitecture("x86_64")!, kernel: [6, 1, 0])
    private let armHost = SeccompFilterPlan.Host(native: SeccompArchitecture("aarch64")!, kernel: [6, 1, 0])
    private let s390Host = SeccompFilterPlan.Host(native: SeccompArchitecture("s390x")!, kernel: [6, 1, 0])

    private func allowed(_ caps: Set<String>, host: SeccompFilterPlan.Host) throws -> [String: [SeccompFilterPlan.Rule]] {
        let plan = try SeccompFilterPlan(SeccompProfiles.runtimeDefault, capabilities: caps, host: host)
        XCTAssertEqual(plan.defaultAction, .errno(1))
        var byName: [String: [SeccompFilterPlan.Rule]] = [:]
        for rule in plan.rules {
            for name in rule.names { byName[name, default: []].append(rule) }
        }
        return byName
    }

    func testRuntimeDefaultWithoutCapabilities() throws {
        let rules = try allowed([], host: x86Host)
        let unconditional = rules.filter { $0.value.contains { $0.action == .allow && $0.conditions.isEmpty } }
        for name in ["read", "write", "execve", "futex", "arch_prctl", "ptrace", "socket", "prctl"] {
            XCTAssertNotNil(unconditional[name], name)
        }
        // Not in the plan at all: these fall to the default, EPERM.
        for name in [
            "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "unshare", "mount", "setns",
            "bpf", "reboot", "chroot", "init_module", "open_by_handle_at", "perf_event_open", "syslog",
            "process_vm_readv", "clock_settime", "s390_runtime_instr", "set_tls",
        ] {
            XCTAssertNil(rules[name], name)
        }
        let clone = try XCTUnwrap(rules["clone"])
        XCTAssertEqual(clone.map(\.conditions), [[.init(index: 0, op: .maskedEqual, value: 0x7e02_0000, valueTwo: 0)]])
        XCTAssertEqual(rules["clone3"]?.map(\.action), [.errno(38)])
        XCTAssertEqual(Set(rules["personality"]?.map { $0.conditions[0].value } ?? []), [0, 8, 0x20000, 0x20008, 0xffff_ffff])
    }

    func testCapabilitiesOpenTheirGroups() throws {
        let table: [(cap: String, syscalls: [String])] = [
            ("CAP_SYS_ADMIN", ["mount", "umount2", "setns", "unshare", "sethostname", "bpf", "clone3", "perf_event_open"]),
            ("CAP_SYS_PTRACE", ["process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"]),
            ("CAP_SYS_BOOT", ["reboot"]),
            ("CAP_SYS_CHROOT", ["chroot"]),
            ("CAP_SYS_MODULE", ["init_module", "finit_module", "delete_module"]),
            ("CAP_SYS_TIME", ["settimeofday", "clock_settime"]),
            ("CAP_BPF", ["bpf"]),
            ("CAP_PERFMON", ["perf_event_open"]),
            ("CAP_SYSLOG", ["syslog"]),
            ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ]
        for (cap, syscalls) in table {
            let rules = try allowed([cap], host: x86Host)
            for name in syscalls {
                XCTAssertEqual(rules[name]?.map(\.action), [.allow], "\(cap) \(name)")
            }
            // Capabilities never open the key-management or kexec calls.
            XCTAssertNil(rules["keyctl"], cap)
            XCTAssertNil(rules["kexec_load"], cap)
        }
        let admin = try allowed(["CAP_SYS_ADMIN"], host: x86Host)
        XCTAssertEqual(admin["clone"]?.map(\.conditions), [[]], "CAP_SYS_ADMIN allows clone with any flags")
    }

    func testArchitectureConditions() throws {
        let arm = try SeccompFilterPlan(SeccompProfiles.runtimeDefault, capabilities: [], host: armHost)
        XCTAssertEqual(arm.extraArchitectures.map(\.name), ["arm"])
        let armNames = Set(arm.rules.flatMap(\.names))
        XCTAssertTrue(armNames.contains("set_tls"))
        XCTAssertFalse(armNames.contains("arch_prctl"))

        let x86 = try SeccompFilterPlan(SeccompProfiles.runtimeDefault, capabilities: [], host: x86Host)
        XCTAssertEqual(x86.extraArchitectures.map(\.name), ["x86", "x32"])

        let s390 = try allowed([], host: s390Host)
        XCTAssertEqual(s390["clone"]?.map { $0.conditions.map(\.index) }, [[1]])
    }

    func testMinKernel() throws {
        var old = x86Host
        old.kernel = [4, 4, 0]
        XCTAssertNil(try allowed([], host: old)["ptrace"])
        old.kernel = [4, 8]
        XCTAssertNotNil(try allowed([], host: old)["ptrace"])
    }

    func testArchitectureSpellings() {
        let table: [(String, String?)] = [
            ("SCMP_ARCH_X86_64", "x86_64"), ("amd64", "x86_64"), ("x86_64", "x86_64"), ("SCMP_ARCH_X86", "x86"),
            ("386", "x86"), ("arm64", "aarch64"), ("SCMP_ARCH_AARCH64", "aarch64"), ("SCMP_ARCH_MIPSEL64N32", "mipsel64n32"),
            ("SCMP_ARCH_VAX", nil), ("", nil),
        ]
        for (spelling, name) in table {
            XCTAssertEqual(SeccompArchitecture(spelling)?.name, name, spelling)
        }
    }

    func testKernelVersionParsing() {
        let table: [(String, [Int]?)] = [
            ("6.1.0-13-amd64", [6, 1, 0]), ("4.8", [4, 8]), ("5.15.0+", [5, 15, 0]), ("6.18.44-fc-v782", [6, 18, 44]),
            ("four", nil), ("", nil), ("4..8", nil),
        ]
        for (release, version) in table {
            XCTAssertEqual(SeccompFilterPlan.kernelVersion(release), version, release)
        }
    }
}
