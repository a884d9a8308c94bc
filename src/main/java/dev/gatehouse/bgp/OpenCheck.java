package dev.gatehouse.bgp;

/** Whether the peer's OPEN is acceptable (RFC 4271 section 6.2, RFC 6793, RFC 5492), and if not, what to answer. */
final class OpenCheck {

    private OpenCheck() {}

    /** The NOTIFICATION refusing {@code open}, or null when the session may proceed. */
    static Notification refusal(Open open, PeerSettings peer) {
        long fourOctet = open.fourOctetAs();
        if (fourOctet < 0) {
            // this speaker writes 4-octet AS paths only (RFC 6793 peers are the norm); RFC 5492 names what is missing
            byte[] data = {(byte) MessageReader.CAPABILITY_FOUR_OCTET_AS, 4, (byte) (peer.localAs() >> 24),
                (byte) (peer.localAs() >> 16), (byte) (peer.localAs() >> 8), (byte) peer.localAs()};
            return new Notification(Notification.OPEN_ERROR, Notification.UNSUPPORTED_CAPABILITY, data);
        }
        boolean consistent = fourOctet > 0xFFFF ? open.myAs() == Open.AS_TRANS : open.myAs() == fourOctet;
        if (!consistent || fourOctet != peer.peerAs()) {
            return new Notification(Notification.OPEN_ERROR, Notification.BAD_PEER_AS);
        }
        if (open.holdTime() > 0 && open.holdTime() < PeerSettings.MIN_HOLD_TIME) {
            return new Notification(Notification.OPEN_ERROR, Notification.UNACCEPTABLE_HOLD_TIME);
        }
        byte[] id = open.identifier().getAddress();
        boolean zero = id[0] == 0 && id[1] == 0 && id[2] == 0 && id[3] == 0;
        // RFC 6286: identifiers must differ within an AS; across ASes they may be equal
        if (zero || (peer.internal() && open.identifier().equals(peer.routerId()))) {
            return new Notification(Notification.OPEN_ERROR, Notification.BAD_BGP_IDENTIFIER);
        }
        return null;
    }
}
