import XCTest
final class PlaceholderTests_Client: XCTestCase { func testNothing() {} }
