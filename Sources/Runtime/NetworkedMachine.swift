/// A machine with a network device: its command line, and the NIC and entropy source an app hands to a stack.
import Capabilities

/// What a board with networking offers on top of `Machine`.
///
/// Runtime does not know the stack; an app that imports Network builds one from what
/// `takeNetwork()` returns and drives it from the loop:
///
/// ```swift
/// guard let network = machine.takeNetwork() else { machine.exit(status: 3) }
/// var stack = NetworkStack(interface: network.0, entropy: network.1,
///                          configuration: configuration,
///                          limits: NetworkLimits(memoryBudget: machine.networkMemoryBudget),
///                          now: machine.loop.now)
/// machine.loop.addPoll { now in
///     stack.poll(now: now)
///     // accept, receive, send …
///     return stack.nextDeadline
/// }
/// machine.loop.run()
/// ```
///
/// Waking on frames is the board's half of the contract: the `sleep` it gives its
/// `EventLoop` returns when a frame arrives as well as at the clock's wake-up deadline
/// (the NIC's interrupt ends `wfi`; on `host`, `ppoll(2)` watches the TAP descriptor). The
/// loop then runs every poll, so the stack sees the frame without an app-visible callback.
public protocol NetworkedMachine: Machine {
    associatedtype Interface: NetworkInterface
    associatedtype Random: Entropy

    /// The run-time settings as space-separated words: `/chosen/bootargs` on a board, the
    /// process arguments (without the program name) on `host`. Valid for the whole run.
    var commandLine: UnsafeRawBufferPointer { get }

    /// Bytes of memory the network stack may allocate (its TCP buffers, mostly), fixed for
    /// the run: a board says how much it can spare (a fraction of the device tree's RAM, or
    /// a generous constant on `host`); an app passes it to `NetworkLimits(memoryBudget:)`.
    var networkMemoryBudget: Int { get }

    /// Hands over the network device and an entropy source, once: later calls return nil,
    /// as does a machine without a usable device (no NIC found, no `tap=` on `host`).
    mutating func takeNetwork() -> (Interface, Random)?
}
