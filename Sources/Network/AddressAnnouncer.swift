/// The `ip: ADDR/PREFIX` line apps print once the stack is configured, and again whenever the address changes (a new DHCP lease).
import Capabilities

public struct AddressAnnouncer {
    private var announced: IPv4Address? = nil

    public init() {}

    /// Prints the line when the stack's address differs from the one last printed.
    public mutating func update<Interface, Random, Output: Console>(from stack: NetworkStack<Interface, Random>,
                                                                    to console: inout Output) {
        let address = stack.address
        guard address != announced else { return }
        announced = address
        guard let address else { return }
        console.write("ip: ")
        address.write(to: &console)
        console.write("/")
        console.write(decimal: stack.prefixLength)
        console.write(byte: 10)
    }
}
