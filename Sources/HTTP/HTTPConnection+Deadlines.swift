/// Deadline bookkeeping for a connection: idle, slow-request and slow-reader timeouts.

extension HTTPConnection {
    /// The instant (caller's clock, nanoseconds) at which `expire` should be called, or nil
    /// when the connection needs no timer. The event loop programs its wake-up for the
    /// earliest deadline of all connections; no clock is read here.
    ///
    /// - While response bytes wait: the last send progress plus `sendTimeout`.
    /// - While a request is arriving: its first byte plus `requestTimeout`, however the
    ///   bytes trickle in, which is what defeats slowloris-style clients.
    /// - While idle between requests: the end of the last response plus `idleTimeout`.
    public var deadline: UInt64? {
        switch state {
        case .closed:
            return nil
        case .closing:
            return hasOutput ? Self.adding(sendProgressAt, limits.sendTimeout) : nil
        case .open:
            if hasOutput { return Self.adding(sendProgressAt, limits.sendTimeout) }
            if let requestStartedAt { return Self.adding(requestStartedAt, limits.requestTimeout) }
            return Self.adding(idleSince, limits.idleTimeout)
        }
    }

    /// Acts on a passed deadline; does nothing before it.
    ///
    /// - A client that is not taking its response is abandoned: `.closed`, output dropped.
    /// - A request still arriving gets 408 and "Connection: close" (RFC 9110 §15.5.9: the
    ///   server SHOULD send close, as it has decided to close the connection).
    /// - An idle persistent connection just closes (RFC 9112 §9.5: a server may close an idle
    ///   connection at any time; a client must be ready to retry).
    ///
    /// - Returns: whether the deadline had passed.
    @discardableResult
    public mutating func expire(now: UInt64) -> Bool {
        guard let deadline, now >= deadline else { return false }
        if hasOutput || state == .closing {
            outputStart = 0
            outputEnd = 0
            borrowedContent = nil
            state = .closed
        } else if requestStartedAt != nil {
            requestStartedAt = nil
            respond(to: .requestTimeout, now: now)
        } else {
            state = .closed
        }
        return true
    }

    /// `instant + duration`, saturating instead of wrapping.
    static func adding(_ instant: UInt64, _ duration: UInt64) -> UInt64 {
        let (sum, overflow) = instant.addingReportingOverflow(duration)
        return overflow ? .max : sum
    }
}
