/// One accepted echo connection: its handle and the bytes received but not yet taken by `send` (bounded).
import Network

struct EchoConnection {
    /// The most bytes held back: the server moves at most this many per receive and receives
    /// again only once these are sent, so a connection never holds more.
    static let pendingLimit = 2048

    let handle: TCPConnectionHandle
    /// Received bytes `send` did not take yet, oldest first.
    var pending: [UInt8] = []

    init(handle: TCPConnectionHandle) {
        self.handle = handle
        pending.reserveCapacity(EchoConnection.pendingLimit)
    }
}
