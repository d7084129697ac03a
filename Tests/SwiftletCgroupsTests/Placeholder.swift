import XCTest
final class PlaceholderTests_SwiftletCgroupsTests: XCTestCase { func testNothing() {} }
