import Foundation
import XCTest

@testable import SwiftletSeccomp

final class SeccompProfileLoadingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("seccomp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ json: String, name: String = "profile.json") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url.path
    }

    func testDecodesDockerStyleProfile() throws {
        let path = try write(
            """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "archMap": [
                {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
              ],
              "syscalls": [
                {"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW", "args": [], "comment": "", "includes": {}, "excludes": {}},
                {"name": "personality", "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 131080, "op": "SCMP_CMP_EQ"}]},
                {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
                 "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
                {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
                {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
                {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
                {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_NE"}]}
              ]
            }
            """)
        let profile = try loadSeccompProfile(path: path)
        XCTAssertEqual(profile.defaultAction, "SCMP_ACT_ERRNO")
        XCTAssertEqual(profile.defaultErrnoRet, 1)
        XCTAssertEqual(profile.archMap?.first?.subArchitectures, ["SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        XCTAssertEqual(profile.syscalls?.count, 7)
        XCTAssertEqual(profile.syscalls?[1].names, ["personality"])
        XCTAssertEqual(profile.syscalls?[1].args?.first?.value, 0x20008)
        XCTAssertEqual(profile.syscalls?[2].args?.first?.value, 0x7e02_0000)
        XCTAssertEqual(profile.syscalls?[2].excludes?.arches, ["s390", "s390x"])
        XCTAssertEqual(profile.syscalls?[3].errnoRet, 38)
        XCTAssertEqual(profile.syscalls?[4].includes?.minKernel, "4.8")
        XCTAssertEqual(profile.syscalls?[6].args?.first?.value, UInt64.max)
        let bpf = try compileSeccompFilter(profile, capabilities: [])
        XCTAssertEqual(bpf.count % 8, 0)
        XCTAssertFalse(bpf.isEmpty)
    }

    func testDecodesOCIProfileAndRoundTrips() throws {
        let path = try write(
            """
            {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
             "flags": ["SECCOMP_FILTER_FLAG_LOG"],
             "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
            """)
        let profile = try loadSeccompProfile(path: path)
        XCTAssertEqual(profile.architectures, ["SCMP_ARCH_X86_64"])
        XCTAssertEqual(profile.flags, ["SECCOMP_FILTER_FLAG_LOG"])
        let again = try JSONDecoder().decode(SeccompProfile.self, from: JSONEncoder().encode(profile))
        XCTAssertEqual(again, profile)
        let builtIn = try JSONDecoder().decode(
            SeccompProfile.self, from: JSONEncoder().encode(SeccompProfiles.runtimeDefault))
        XCTAssertEqual(builtIn, SeccompProfiles.runtimeDefault)
    }

    func testErrorsNameFileAndJSONPath() throws {
        let table: [(json: String, message: String)] = [
            (#"{"syscalls": []}"#, "defaultAction: missing"),
            (#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["x"], "action": 7}]}"#,
             "syscalls[1].action: expected String"),
            (#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": "1", "op": "SCMP_CMP_EQ"}]}]}"#,
             "syscalls[0].args[0].value: expected UInt64"),
            (#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]}"#,
             "syscalls[0].names: missing"),
            (#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}"#,
             #"syscalls[0].action: unknown action "SCMP_ACT_NOPE""#),
            (#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_PDP11"]}"#,
             #"architectures[0]: unknown architecture "SCMP_ARCH_PDP11""#),
            ("{not json", "not valid JSON"),
        ]
        for (i, entry) in table.enumerated() {
            let path = try write(entry.json, name: "bad\(i).json")
            XCTAssertThrowsError(try loadSeccompProfile(path: path), entry.json) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("\(path): "), text)
                XCTAssertTrue(text.contains(entry.message), "\(text) lacks \(entry.message)")
            }
        }
    }

    func testMissingFileNamesThePath() {
        let path = directory.appendingPathComponent("absent.json").path
        XCTAssertThrowsError(try loadSeccompProfile(path: path)) { error in
            XCTAssertEqual(error as? SeccompError, .unreadable(path: path, errno: ENOENT))
        }
    }
}
