/// What every networked app does first: read `ip=`/`dns=` from the command line and take the board's device and entropy.
import Capabilities
import Runtime

extension NetworkedMachine {
    /// The configuration from the command line, the network device and the entropy source.
    /// When there is none to be had it prints `<application>: <why>` and exits: status 2 for a
    /// bad setting, 3 for a machine without a network device.
    public mutating func startNetworking(_ application: StaticString)
        -> (configuration: NetworkConfiguration, interface: Interface, entropy: Random) {
        let configuration: NetworkConfiguration
        do {
            configuration = try NetworkConfiguration(parsingArguments: commandLine)
        } catch {
            console.write(application)
            console.write(": ")
            console.writeLine(error.reason)
            exit(status: 2)
        }
        guard let network = takeNetwork() else {
            console.write(application)
            console.writeLine(": no network device")
            exit(status: 3)
        }
        return (configuration, network.0, network.1)
    }
}
