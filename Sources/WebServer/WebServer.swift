/// WebServer: HTTP/1.1 over Seal's TCP stack, a fixed pool of connections driven by `poll`.
///
/// `HTTPServer` joins the transport-agnostic `HTTPConnection` (module HTTP) to the stack's
/// TCP sockets (module Network). It owns a listener and a fixed number of connection slots,
/// each with its own receive and send buffers, all allocated in `init`. The event loop calls
/// `poll(stack:now:)` after `stack.poll(now:)`; the server accepts, moves bytes both ways,
/// enforces the deadlines and returns the earliest instant it needs to run again:
///
/// ```swift
/// var stack = NetworkStack(interface: nic, entropy: random, configuration: configuration, now: now)
/// let server = try HTTPServer(stack: &stack, port: 80, handler: router, now: now)
/// loop.addPoll { now in
///     stack.poll(now: now)
///     let serverDeadline = server.poll(stack: &stack, now: now)
///     return [stack.nextDeadline, serverDeadline].compactMap { $0 }.min()
/// }
/// ```
///
/// Responses whose content is generated rather than held in memory (a 20 MiB download on a
/// board with less RAM than that) come from `HTTPStreamingHandler.streamedResponse(to:)`:
/// the server writes their head itself and asks the `HTTPBodySource` for the content as the
/// TCP send buffer frees.
///
/// Nothing here traps on network input: a misbehaving client costs at most its own slot.
