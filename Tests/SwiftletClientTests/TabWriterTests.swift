import SwiftletClient
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
}
