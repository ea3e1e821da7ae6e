package org.afmetrics.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for servers under test. */
public final class FreePort {
    private FreePort() {
    }

    public static int find() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Start of a run of {@code n} consecutive ports that were all free a moment ago. */
    public static int findRun(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = 20000 + (int) (Math.random() * 30000);
            boolean ok = true;
            for (int p = first; p < first + n && ok; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.getLocalPort();
                } catch (IOException e) {
                    ok = false;
                }
            }
            if (ok) {
                return first;
            }
        }
        throw new IOException("no run of " + n + " free ports");
    }
}
