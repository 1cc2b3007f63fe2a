// Command-line network words: ip=dhcp, ip=ADDR/PREFIX[,GATEWAY], dns=ADDR, and their errors.
import Capabilities
import Network
import XCTest

final class ConfigurationTests: XCTestCase {
    func parse(_ text: String) -> Result<NetworkConfiguration, ConfigurationError> {
        Array(text.utf8).withUnsafeBytes { bytes in
            do { return .success(try NetworkConfiguration(parsingArguments: bytes)) } catch {
                return .failure(error as! ConfigurationError)
            }
        }
    }

    func testDefaultsToDHCP() {
        XCTAssertEqual(parse(""), .success(NetworkConfiguration()))
        XCTAssertEqual(parse("console=ttyAMA0 rw url=/index.html"), .success(NetworkConfiguration(address: .dhcp)))
        XCTAssertEqual(parse("ip=dhcp"), .success(NetworkConfiguration(address: .dhcp)))
    }

    func testFixedAddressWithAndWithoutGateway() {
        XCTAssertEqual(parse("tap=tap0 ip=10.0.2.15/24,10.0.2.2 dns=10.0.2.3 www"),
                       .success(NetworkConfiguration(address: .fixed(address: IPv4Address(10, 0, 2, 15), prefixLength: 24,
                                                                     gateway: IPv4Address(10, 0, 2, 2)),
                                                     dnsServer: IPv4Address(10, 0, 2, 3))))
        XCTAssertEqual(parse("ip=192.168.1.9/32"),
                       .success(NetworkConfiguration(address: .fixed(address: IPv4Address(192, 168, 1, 9), prefixLength: 32,
                                                                     gateway: nil))))
        // Tabs, newlines and NULs separate words too (DTB bootargs end in NUL).
        XCTAssertEqual(parse("rw\tip=10.0.0.1/8\n\0"),
                       .success(NetworkConfiguration(address: .fixed(address: IPv4Address(10, 0, 0, 1), prefixLength: 8,
                                                                     gateway: nil))))
        // A later word wins, as on a kernel command line.
        XCTAssertEqual(parse("ip=10.0.0.1/8 ip=dhcp"), .success(NetworkConfiguration(address: .dhcp)))
    }

    func testErrors() {
        XCTAssertEqual(parse("ip=10.0.0.1"), .failure(.badAddress), "no prefix")
        XCTAssertEqual(parse("ip=10.0.0/24"), .failure(.badAddress))
        XCTAssertEqual(parse("ip=10.0.0.256/24"), .failure(.badAddress))
        XCTAssertEqual(parse("ip=10.0.0.1/33"), .failure(.badPrefixLength))
        XCTAssertEqual(parse("ip=10.0.0.1/"), .failure(.badPrefixLength))
        XCTAssertEqual(parse("ip=10.0.0.1/2x"), .failure(.badPrefixLength))
        XCTAssertEqual(parse("ip=10.0.0.1/24,"), .failure(.badGateway))
        XCTAssertEqual(parse("ip=10.0.0.1/24,10.0.1.1"), .failure(.gatewayOutsideSubnet))
        XCTAssertEqual(parse("dns=example"), .failure(.badDNSServer))
        XCTAssertEqual(parse("ip=DHCP"), .failure(.badAddress), "words are case-sensitive")
    }

    func testDottedQuadParsing() {
        func address(_ text: String) -> IPv4Address? { Array(text.utf8).withUnsafeBytes { IPv4Address(parsing: $0) } }
        XCTAssertEqual(address("0.0.0.0"), .any)
        XCTAssertEqual(address("255.255.255.255"), .broadcast)
        for bad in ["", "1.2.3", "1.2.3.4.5", "1..2.3", "01234.1.1.1", "1.2.3.4 ", "-1.2.3.4", "1.2.3.4."] {
            XCTAssertNil(address(bad), bad)
        }
    }

    func testCountersAndAddressesPrintWithoutString() {
        var host = Host()
        host.inject([1, 2, 3])
        host.stack.poll(now: host.now)
        var output = ByteCollector()
        host.stack.counters.write(to: &output)
        XCTAssertTrue(output.text.hasPrefix("frames.received 1\nframes.sent 1\n"), output.text)
        XCTAssertTrue(output.text.contains("\nethernet.malformed 1\n"))
        XCTAssertTrue(output.text.contains("\ntcp.syn_cookies_sent 0\n"))
        var addressText = ByteCollector()
        IPv4Address(192, 168, 10, 255).write(to: &addressText)
        XCTAssertEqual(addressText.text, "192.168.10.255")
    }
}

extension Result: @retroactive Equatable where Success: Equatable, Failure: Equatable {}
