// Per-connection handler state: in-range slots hold values and change in place; others read nil and take nothing.
import WebServer
import XCTest

final class ConnectionTableTests: XCTestCase {
    func testSlotsHoldValuesAndOutOfRangeIsEmpty() {
        var table = ConnectionTable<[UInt8]>(connections: 2)
        XCTAssertNil(table[0])
        table[1] = [1]
        table[1]?.append(2)
        XCTAssertEqual(table[1], [1, 2])
        table[2] = [9]
        table[-1] = [9]
        table[5]?.append(9)
        XCTAssertNil(table[2])
        XCTAssertNil(table[-1])
        XCTAssertNil(table[5])
        table[1] = nil
        XCTAssertNil(table[1])
    }
}
