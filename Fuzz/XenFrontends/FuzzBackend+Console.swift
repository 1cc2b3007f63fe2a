/// The fuzzed xenconsoled: draining the output ring, moving its indices and feeding input, as the input says.
import XenABI
import Xen

extension FuzzBackend {
    // MARK: xenconsoled (io/console.h: in[1024], out[2048], then in_cons, in_prod, out_cons, out_prod)

    static let inputConsumerOffset = Int(XenConsoleRing.inputSize + XenConsoleRing.outputSize)

    func consoleIndex(_ which: Int) -> UInt32 {
        consolePage.load(fromByteOffset: Self.inputConsumerOffset + 4 * which, as: UInt32.self)
    }

    func setConsoleIndex(_ which: Int, _ value: UInt32) {
        consolePage.storeBytes(of: value, toByteOffset: Self.inputConsumerOffset + 4 * which, as: UInt32.self)
    }

    func drainConsole() {
        if consoleIndex(2) != consoleIndex(3) {
            setConsoleIndex(2, consoleIndex(3))
            raise(Self.consolePort)
        }
    }

    /// Op 11: out_cons drained, raw, advanced or a little behind out_prod.
    func consoleOutputConsumer() {
        let choice = input.byte()
        switch choice & 3 {
        case 0: setConsoleIndex(2, consoleIndex(3))
        case 1: setConsoleIndex(2, input.word32())
        case 2: setConsoleIndex(2, consoleIndex(2) &+ UInt32(choice >> 2))
        default: setConsoleIndex(2, consoleIndex(3) &- UInt32(choice >> 2))
        }
        raise(Self.consolePort)
    }

    /// Op 12: input bytes written at in_prod (as room allows, or not), or a raw in_prod.
    func consoleInput() {
        let choice = input.byte()
        if choice & 1 != 0 {
            setConsoleIndex(1, choice & 2 != 0 ? input.word32() : consoleIndex(0) &+ UInt32(input.word16() % 2048))
        } else {
            var producer = consoleIndex(1)
            for byte in input.bytes(limit: 64) {
                consolePage.storeBytes(of: byte, toByteOffset: Int(producer & (XenConsoleRing.inputSize - 1)), as: UInt8.self)
                producer &+= 1
            }
            setConsoleIndex(1, producer)
        }
        raise(Self.consolePort)
    }
}
