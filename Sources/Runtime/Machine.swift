/// What a board offers every application: console, event loop, its device tree, and a way out.
import Capabilities
import DeviceTree

public protocol Machine {
    associatedtype Timekeeper: Clock
    associatedtype Terminal: Console

    var console: Terminal { get set }
    var loop: EventLoop<Timekeeper> { get }
    /// The device tree the loader passed, already validated.
    var deviceTree: DeviceTree? { get }
    /// True when the running image's text and rodata are read-only and nothing writable is executable.
    var isSealed: Bool { get }
    /// Prints the exit marker and powers off.
    func exit(status: Int) -> Never
}
