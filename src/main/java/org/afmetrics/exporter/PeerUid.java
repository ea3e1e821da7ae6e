package org.afmetrics.exporter;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * The user behind a loopback connection, as Linux tells it: the kernel's socket table
 * ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) lists every TCP socket with the uid that
 * owns it, so the caller's socket (local address = the caller's, remote = ours) names its user.
 * Where the table is missing or the socket is not in it, the answer is "unknown", and the push
 * endpoint then serves only callers with the push token.
 */
final class PeerUid {
    static final long UNKNOWN = -1;
    private static final Path TCP = Paths.get("/proc/net/tcp");
    private static final Path TCP6 = Paths.get("/proc/net/tcp6");

    private PeerUid() {
    }

    /** This process's uid, or {@link #UNKNOWN}. */
    static long self() {
        try {
            Object uid = Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The uid owning the socket at {@code peer} connected to {@code local}, or {@link #UNKNOWN}. */
    static long of(InetSocketAddress peer, InetSocketAddress local) {
        if (peer == null || local == null) {
            return UNKNOWN;
        }
        String peerKey = key(peer);
        String localKey = key(local);
        for (Path table : new Path[] {TCP, TCP6}) {
            long uid = find(table, peerKey, localKey);
            if (uid != UNKNOWN) {
                return uid;
            }
        }
        return UNKNOWN;
    }

    private static long find(Path table, String peerKey, String localKey) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
        for (int i = 1; i < lines.size(); i++) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length > 7 && sameSocket(f[1], peerKey) && sameSocket(f[2], localKey)) {
                try {
                    return Long.parseLong(f[7]);
                } catch (NumberFormatException e) {
                    return UNKNOWN;
                }
            }
        }
        return UNKNOWN;
    }

    /** Table addresses are hex in host byte order; compared after mapping IPv4 in IPv6 to plain IPv4. */
    private static boolean sameSocket(String tableEntry, String key) {
        return normalise(tableEntry).equals(key);
    }

    private static String normalise(String entry) {
        String e = entry.toUpperCase(Locale.ROOT);
        int colon = e.indexOf(':');
        if (colon == 32 && e.startsWith("0000000000000000FFFF0000")) {
            // ::ffff:a.b.c.d as the tcp6 table writes it: the IPv4 word is the last one
            return e.substring(24);
        }
        return e;
    }

    /** The address as the socket table writes it: 32-bit words in little-endian hex, then :PORT in hex. */
    static String key(InetSocketAddress a) {
        InetAddress address = a.getAddress();
        byte[] b = address.getAddress();
        if (!(address instanceof Inet4Address) && isMappedV4(b)) {
            b = new byte[] {b[12], b[13], b[14], b[15]};
        }
        StringBuilder sb = new StringBuilder();
        for (int word = 0; word < b.length; word += 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(String.format(Locale.ROOT, "%02X", b[word + i] & 0xff));
            }
        }
        return sb.append(':').append(String.format(Locale.ROOT, "%04X", a.getPort())).toString();
    }

    private static boolean isMappedV4(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
