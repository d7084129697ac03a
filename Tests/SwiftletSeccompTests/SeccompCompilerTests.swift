import XCTest

@testable import SwiftletSeccomp

final class SeccompCompilerTests: XCTestCase {
    func testRuntimeDefaultCompilesToWholeSockFilters() throws {
        for caps in [Set<String>(), ["CAP_SYS_ADMIN"], ["CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_BPF"]] {
            let bpf = try compileSeccompFilter(SeccompProfiles.runtimeDefault, capabilities: caps)
            XCTAssertGreaterThan(bpf.count, 8 * 100, "caps \(caps)")
            XCTAssertEqual(bpf.count % 8, 0, "caps \(caps)")
            // A classic BPF program is at most BPF_MAXINSNS (4096) instructions.
            XCTAssertLessThanOrEqual(bpf.count / 8, 4096, "caps \(caps)")
        }
    }

    func testCapSysAdminChangesTheProgram() throws {
        let plain = try compileSeccompFilter(SeccompProfiles.runtimeDefault, capabilities: [])
        let admin = try compileSeccompFilter(SeccompProfiles.runtimeDefault, capabilities: ["CAP_SYS_ADMIN"])
        XCTAssertNotEqual(plain, admin)
    }

    func testCompilationIsDeterministic() throws {
        let first = try compileSeccompFilter(SeccompProfiles.runtimeDefault, capabilities: [])
        let second = try compileSeccompFilter(SeccompProfiles.runtimeDefault, capabilities: [])
        XCTAssertEqual(first, second)
    }

    func testSmallCustomProfileCompiles() throws {
        let profile = SeccompProfile(
            defaultAction: "SCMP_ACT_ALLOW",
            architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
            syscalls: [
                .init(names: ["keyctl", "add_key"], action: "SCMP_ACT_ERRNO"),
                .init(names: ["kexec_load"], action: "SCMP_ACT_KILL_PROCESS"),
                .init(
                    names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 22,
                    args: [.init(index: 0, value: 0x0040_0000, valueTwo: 0x0040_0000, op: "SCMP_CMP_MASKED_EQ")]),
                .init(
                    names: ["socket"], action: "SCMP_ACT_ERRNO",
                    args: [.init(index: 0, value: 16, op: "SCMP_CMP_EQ"), .init(index: 0, value: 17, op: "SCMP_CMP_EQ")]),
                .init(names: ["no_such_syscall_anywhere"], action: "SCMP_ACT_LOG"),
            ])
        let bpf = try compileSeccompFilter(profile, capabilities: [])
        XCTAssertFalse(bpf.isEmpty)
        XCTAssertEqual(bpf.count % 8, 0)
        // Removing a rule must change the program, or the rules were not compiled in.
        var smaller = profile
        smaller.syscalls?.removeFirst()
        XCTAssertNotEqual(try compileSeccompFilter(smaller, capabilities: []), bpf)
    }

    func testProfileErrorsNameTheField() {
        let good = SeccompProfile.Syscall(names: ["read"], action: "SCMP_ACT_ALLOW")
        let cases: [(String, SeccompProfile, String)] = [
            ("bad default", SeccompProfile(defaultAction: "SCMP_ACT_NOPE"),
             #"defaultAction: unknown action "SCMP_ACT_NOPE""#),
            ("bad action", SeccompProfile(
                defaultAction: "SCMP_ACT_ERRNO",
                syscalls: [good, good, good, .init(names: ["write"], action: "SCMP_ACT_NOPE")]),
             #"syscalls[3].action: unknown action "SCMP_ACT_NOPE""#),
            ("bad op", SeccompProfile(
                defaultAction: "SCMP_ACT_ERRNO",
                syscalls: [good, .init(names: ["clone"], action: "SCMP_ACT_ALLOW", args: [
                    .init(index: 0, value: 1, op: "SCMP_CMP_EQ"), .init(index: 1, value: 1, op: "SCMP_CMP_ALMOST")])]),
             #"syscalls[1].args[1].op: unknown operator "SCMP_CMP_ALMOST""#),
            ("bad index", SeccompProfile(
                defaultAction: "SCMP_ACT_ERRNO",
                syscalls: [.init(names: ["clone"], action: "SCMP_ACT_ALLOW", args: [.init(index: 6, value: 1, op: "SCMP_CMP_EQ")])]),
             "syscalls[0].args[0].index: argument index 6 is not 0...5"),
            ("bad arch", SeccompProfile(defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]),
             #"architectures[1]: unknown architecture "SCMP_ARCH_VAX""#),
            ("bad sub arch", SeccompProfile(
                defaultAction: "SCMP_ACT_ERRNO",
                archMap: [.init(architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_Z80"])]),
             #"archMap[0].subArchitectures[0]: unknown architecture "SCMP_ARCH_Z80""#),
            ("bad include arch", SeccompProfile(
                defaultAction: "SCMP_ACT_ERRNO",
                syscalls: [.init(names: ["read"], action: "SCMP_ACT_ALLOW", includes: .init(arches: ["pdp11"]))]),
             #"syscalls[0].includes.arches[0]: unknown architecture "pdp11""#),
            ("bad minKernel", SeccompProfile(
                defaultAction: "SCMP_ACT_ERRNO",
                syscalls: [.init(names: ["read"], action: "SCMP_ACT_ALLOW", includes: .init(minKernel: "four"))]),
             #"syscalls[0].includes.minKernel: kernel version "four" is not major.minor"#),
            ("errno too big", SeccompProfile(
                defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [.init(names: ["read"], action: "SCMP_ACT_ERRNO", errnoRet: 70000)]),
             "syscalls[0].action: errnoRet 70000 does not fit the 16-bit action data"),
            ("notify", SeccompProfile(
                defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["read"], action: "SCMP_ACT_NOTIFY")]),
             "syscalls[0].action: SCMP_ACT_NOTIFY is not supported"),
            ("bad flag", SeccompProfile(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_MAGIC"]),
             #"flags[0]: unknown flag "SECCOMP_FILTER_FLAG_MAGIC""#),
        ]
        for (name, profile, message) in cases {
            XCTAssertThrowsError(try compileSeccompFilter(profile, capabilities: []), name) { error in
                XCTAssertEqual("\(error)", message, name)
            }
        }
    }
}
