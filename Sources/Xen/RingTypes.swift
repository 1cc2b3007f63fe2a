/// The front rings Seal's PV drivers use, with entry types imported from io/netif.h and io/blkif.h.
import XenABI

/// netfront's transmit ring (io/netif.h `netif_tx_sring`).
public typealias NetworkTransmitRing = FrontRing<netif_tx_request_t, netif_tx_response_t>
/// netfront's receive ring (io/netif.h `netif_rx_sring`).
public typealias NetworkReceiveRing = FrontRing<netif_rx_request_t, netif_rx_response_t>
/// blkfront's ring (io/blkif.h `blkif_sring`).
public typealias BlockRing = FrontRing<blkif_request_t, blkif_response_t>
