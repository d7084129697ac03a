import Foundation
import SwiftletClient
import SwiftletKube
import XCTest

final class TabWriterTests: XCTestCase {
    func testTableColumnsPadToWidestCellPlusThree() {
        let out = TabWriter.table.format("NAME\tREADY\tSTATUS\nweb\t1/1\tRunning\nlonger-name\t0/1\tPending\n")
        XCTAssertEqual(out, """
            NAME          READY   STATUS
            web           1/1     Running
            longer-name   0/1     Pending

            """)
    }

    func testDescribeBlocksEndAtLinesWithoutTabs() {
        let out = TabWriter.describe.format("Name:\tweb\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\n")
        XCTAssertEqual(out, "Name:       web\nNamespace:  default\nIPs:\n  IP:  10.0.0.1\n")
    }

    func testManifestTableFoldsMultiLineErrors() {
        let file = ManifestFileStatus(
            path: "/m/bad.yaml", state: "Invalid", error: "document 1: 2 error(s):\n  metadata.name: Required value\n  spec.containers: Required value")
        let out = ManifestPrinter.table([file], now: Date())
        XCTAssertEqual(out.split(separator: "\n").count, 2, out)
        XCTAssertTrue(out.hasSuffix("document 1: 2 error(s): metadata.name: Required value; spec.containers: Required value\n"), out)
    }
}
