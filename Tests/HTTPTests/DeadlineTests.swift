// Deadlines on a simulated clock: idle keep-alive close, slowloris 408, and a client that stops reading.
import Testing
import HTTP

let second: UInt64 = 1_000_000_000

/// Sends everything pending into a large window and returns it as text.
func drain(_ connection: inout HTTPConnection, now: UInt64) -> String {
    var window = [UInt8](repeating: 0, count: 1 << 18)
    var output: [UInt8] = []
    while true {
        let sent = window.withUnsafeMutableBytes { connection.send(into: $0, now: now) }
        if sent == 0 { return text(output) }
        output += window[..<sent]
    }
}

func feed(_ connection: inout HTTPConnection, _ bytes: String, now: UInt64, router: inout HTTPRouter<FixtureState>) -> Int {
    Array(bytes).withUnsafeBytes { connection.receive($0, now: now, handler: &router) }
}

@Suite struct Deadlines {
    @Test func idleConnectionClosesSilentlyAfterIdleTimeout() {
        var connection = HTTPConnection(now: 5 * second)
        let deadline = connection.deadline
        #expect(deadline == 15 * second)
        let early = connection.expire(now: 15 * second - 1)
        let onTime = connection.expire(now: 15 * second)
        #expect(!early)
        #expect(onTime)
        let state = connection.state
        #expect(state == .closed)
        #expect(drain(&connection, now: 15 * second).isEmpty)
        let after = connection.deadline
        #expect(after == nil)
    }

    @Test func idleTimerRestartsWhenAResponseIsSent() {
        var router = fixtureRouter()
        var connection = HTTPConnection(now: 0)
        _ = feed(&connection, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", now: 3 * second, router: &router)
        let sendDeadline = connection.deadline
        #expect(sendDeadline == 23 * second)
        #expect(drain(&connection, now: 4 * second) == helloResponse())
        let idleDeadline = connection.deadline
        #expect(idleDeadline == 14 * second)
    }

    @Test func slowlorisGets408AtTheRequestDeadline() {
        var router = fixtureRouter()
        var connection = HTTPConnection(now: 0)
        let trickle = Array("GET / HTTP/1.1\r\nHost: a\r\nX-a: b\r\n")
        // One byte a second from t = 1 s: each byte is progress, but the request deadline
        // (first byte + 20 s) does not move.
        for (index, byte) in trickle.enumerated() {
            let now = UInt64(index + 1) * second
            let expired = connection.expire(now: now)
            #expect(expired == (now >= 21 * second))
            if expired { break }
            let used = [byte].withUnsafeBytes { connection.receive($0, now: now, handler: &router) }
            #expect(used == 1)
            let deadline = connection.deadline
            #expect(deadline == 21 * second)
        }
        #expect(drain(&connection, now: 21 * second) == errorResponse(408, "Request Timeout"))
        let state = connection.state
        #expect(state == .closed)
    }

    @Test func leadingEmptyLinesDoNotExtendTheIdleDeadline() {
        var router = fixtureRouter()
        var connection = HTTPConnection(now: 0)
        for tick in 1...9 {
            #expect(feed(&connection, "\r\n", now: UInt64(tick) * second, router: &router) == 2)
        }
        let deadline = connection.deadline
        #expect(deadline == 10 * second)
    }

    @Test func clientThatStopsReadingIsAbandoned() {
        var router = fixtureRouter()
        var connection = HTTPConnection(now: 0)
        _ = feed(&connection, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n", now: 1 * second, router: &router)
        var window = [UInt8](repeating: 0, count: 1000)
        let sent = window.withUnsafeMutableBytes { connection.send(into: $0, now: 2 * second) }
        #expect(sent == 1000)
        let deadline = connection.deadline
        #expect(deadline == 22 * second)
        let expired = connection.expire(now: 22 * second)
        #expect(expired)
        let state = connection.state
        let hasOutput = connection.hasOutput
        #expect(state == .closed)
        #expect(!hasOutput)
    }

    @Test func deadlinesSaturateInsteadOfWrapping() {
        var limits = HTTPLimits()
        limits.idleTimeout = .max
        let connection = HTTPConnection(limits: limits, now: 10)
        let deadline = connection.deadline
        #expect(deadline == .max)
    }
}
