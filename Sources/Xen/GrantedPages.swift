/// Shared pages granted to a backend for a frontend's life: the one allocate-and-grant step netfront and blkfront both take at connect.
extension XenFrontendServices {
    /// Allocates a zeroed page and grants `domain` access to it. The reference is appended to `grants`,
    /// so a handshake that fails later can withdraw every grant it made.
    func grantSharedPage(to domain: UInt16, readOnly: Bool,
                         recordingIn grants: inout [GrantReference]) throws(XenError) -> (page: UnsafeMutableRawPointer, reference: GrantReference) {
        guard let page = allocateSharedPage() else { throw .outOfMemory }
        let reference = try grantTable.grantAccess(domain: domain, frame: frameNumber(of: page), readOnly: readOnly)
        grants.append(reference)
        return (page, reference)
    }

    /// `count` pages granted as `grantSharedPage` does, in order.
    func grantSharedPages(_ count: Int, to domain: UInt16, readOnly: Bool,
                          recordingIn grants: inout [GrantReference]) throws(XenError) -> (pages: [UnsafeMutableRawPointer], references: [GrantReference]) {
        var pages: [UnsafeMutableRawPointer] = []
        var references: [GrantReference] = []
        pages.reserveCapacity(count)
        references.reserveCapacity(count)
        for _ in 0..<count {
            let granted = try grantSharedPage(to: domain, readOnly: readOnly, recordingIn: &grants)
            pages.append(granted.page)
            references.append(granted.reference)
        }
        return (pages, references)
    }
}
