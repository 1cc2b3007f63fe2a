// What the netfront suites share: a connected frontend and simulated netback, frames, and a handshake expected to fail.
import Testing
import XenABI
@testable import Xen

protocol NetFrontTesting {}

extension NetFrontTesting {
    typealias Front = NetFront<TestFrontendServices>

    /// A connected pair; the backend serves at every `wait`.
    func connected(receiveBuffers: Int = 8, transmitBuffers: Int = 8) throws -> (TestFrontendServices, SimulatedNetBack, Front) {
        let services = TestFrontendServices()
        let backend = SimulatedNetBack(services: services)
        let front = try Front.connect(services: services, receiveBuffers: receiveBuffers, transmitBuffers: transmitBuffers)
        return (services, backend, front)
    }

    func frame(_ length: Int, seed: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) }
    }

    func send(_ front: Front, _ bytes: [UInt8]) -> Bool {
        front.transmit(length: bytes.count) { buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
    }

    func take(_ front: Front) -> [UInt8]? {
        front.receive { Array($0) }
    }

    func expectConnectError(_ expected: XenError, _ setUp: (TestFrontendServices, SimulatedNetBack) -> Void) {
        let services = TestFrontendServices()
        let backend = SimulatedNetBack(services: services)
        setUp(services, backend)
        let freeGrants = services.grantTable.freeCount
        #expect(throws: expected) { try Front.connect(services: services, timeout: 10_000_000) }
        // Every grant made is withdrawn (the simulated backend never maps buffers before Connected).
        #expect(services.grantTable.freeCount == freeGrants)
    }
}
