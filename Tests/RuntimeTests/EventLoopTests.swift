// The event loop on a simulated clock: timers fire at their deadlines, the loop sleeps exactly
// until the next one, and nothing polls when nothing is due.
import XCTest
import Capabilities
@testable import Runtime

/// A clock whose time only moves when the loop sleeps: straight to the armed deadline.
final class SimulatedClock: Clock {
    var current = Instant.zero
    var armed: Instant?
    var wakeUps: [Instant?] = []

    func now() -> Instant { current }
    func setWakeUp(at deadline: Instant?) {
        armed = deadline
        wakeUps.append(deadline)
    }
    func sleep() {
        guard let armed else { XCTFail("slept with no deadline armed: would never wake"); return }
        current = max(current, armed)
    }
}

final class EventLoopTests: XCTestCase {
    func testPeriodicTimerFiresOncePerPeriodAndStops() {
        let clock = SimulatedClock()
        let loop = EventLoop(clock: clock, sleep: clock.sleep)
        var fired: [UInt64] = []
        loop.every(.seconds(1)) {
            fired.append(clock.current.nanoseconds)
            if fired.count == 3 { loop.stop() }
        }
        loop.run()
        XCTAssertEqual(fired, [1_000_000_000, 2_000_000_000, 3_000_000_000])
        // Armed for exactly each next second, then disarmed on exit: no periodic tick.
        XCTAssertEqual(clock.wakeUps, [Instant(nanoseconds: 1_000_000_000), Instant(nanoseconds: 2_000_000_000),
                                       Instant(nanoseconds: 3_000_000_000), nil])
    }

    func testOneShotTimersRunInDeadlineOrderAndCancelledOnesNever() {
        let clock = SimulatedClock()
        let loop = EventLoop(clock: clock, sleep: clock.sleep)
        var order: [Int] = []
        loop.after(.milliseconds(30)) { order.append(30); loop.stop() }
        let cancelled = loop.after(.milliseconds(20)) { order.append(20) }
        loop.after(.milliseconds(10)) { order.append(10) }
        loop.cancel(cancelled)
        loop.run()
        XCTAssertEqual(order, [10, 30])
        XCTAssertEqual(clock.current, Instant(nanoseconds: 30_000_000))
    }

    func testPollDeadlineWakesTheLoop() {
        let clock = SimulatedClock()
        let loop = EventLoop(clock: clock, sleep: clock.sleep)
        var polls = 0
        loop.addPoll { now in
            polls += 1
            if now >= Instant(nanoseconds: 5_000) { loop.stop(); return nil }
            return Instant(nanoseconds: 5_000)
        }
        loop.run()
        XCTAssertEqual(polls, 2)
        XCTAssertEqual(clock.current, Instant(nanoseconds: 5_000))
    }

    func testLatePeriodicTimerDoesNotBurst() {
        let clock = SimulatedClock()
        let loop = EventLoop(clock: clock, sleep: clock.sleep)
        var count = 0
        loop.every(.milliseconds(10)) { count += 1 }
        clock.current = Instant(nanoseconds: 95_000_000) // the machine was busy for 95 ms
        _ = loop.runOnce()
        XCTAssertEqual(count, 1)
        XCTAssertEqual(loop.runOnce(), Instant(nanoseconds: 105_000_000))
    }

    func testTimeArithmeticSaturates() {
        XCTAssertEqual(Instant(nanoseconds: .max - 1).advanced(by: .seconds(1)), Instant(nanoseconds: .max))
        XCTAssertEqual(Instant(nanoseconds: 5).duration(since: Instant(nanoseconds: 9)), .zero)
        XCTAssertEqual(Duration.milliseconds(1500).milliseconds, 1500)
    }
}

final class CommandLineWordsTests: XCTestCase {
    private func value(_ name: StaticString, _ line: String) -> String? {
        Array(line.utf8).withUnsafeBytes { bytes in
            CommandLineWords.value(of: name, in: bytes).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    func testValuesTheLastWordWinsAndPrefixesDoNotMatch() {
        XCTAssertEqual(value("url", "ip=dhcp url=http://a/b"), "http://a/b")
        XCTAssertEqual(value("ip", "ip=1.2.3.4/24 ip=dhcp"), "dhcp")
        XCTAssertNil(value("ip", "zip=3 ipx=4 ip"))
        XCTAssertEqual(value("dns", "dns="), "")
        XCTAssertEqual(value("a", "  a=b  "), "b")
        XCTAssertTrue(Array("x rw y".utf8).withUnsafeBytes { CommandLineWords.contains("rw", in: $0) })
        XCTAssertFalse(Array("x rwx y".utf8).withUnsafeBytes { CommandLineWords.contains("rw", in: $0) })
    }
}
