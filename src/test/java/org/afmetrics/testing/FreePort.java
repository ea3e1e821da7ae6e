package org.afmetrics.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for servers the tests start themselves. A child JVM with the agent is never
 * handed one port found here (another process may take it before the agent binds): it binds
 * {@code port=0} and reports its port, or gets a run of ports ({@link #findRun}) and moves on
 * past any that was taken meanwhile, with Prometheus scraping the whole run ({@link #targets}).
 */
public final class FreePort {
    private FreePort() {
    }

    public static int find() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT} for each port of the run: scrape them all, the agent is on one of them. */
    public static String[] targets(int first, int n) {
        String[] t = new String[n];
        for (int i = 0; i < n; i++) {
            t[i] = "127.0.0.1:" + (first + i);
        }
        return t;
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
