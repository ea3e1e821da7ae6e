package org.afmetrics.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers the tests start themselves. A child JVM with the agent is never
 * handed one port found here (another process may take it before the agent binds): it binds
 * {@code port=0} and reports its port, or gets a run of ports ({@link #findRun}) and moves on
 * past any that was taken meanwhile, with Prometheus scraping the whole run ({@link #targets}).
 *
 * <p>The ports come from outside the ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}),
 * which every outgoing connection of the machine takes its local port from: a port found free
 * there is soon taken again when the machine makes many connections. Each is checked free by
 * binding it without {@code SO_REUSEADDR}, so one a connection in TIME_WAIT holds counts as
 * taken. The kernels' ports are chosen the same way, by {@code jupyter/kernel_ports.py}.
 */
public final class FreePort {
    static final Path EPHEMERAL = Paths.get("/proc/sys/net/ipv4/ip_local_port_range");
    /** The well-known and commonly configured service ports stay out of it. */
    static final int FLOOR = 10000;
    static final int CEILING = 65535;

    private FreePort() {
    }

    public static int find() throws IOException {
        return findRun(1);
    }

    /** {@code 127.0.0.1:PORT} for each port of the run: scrape them all, the agent is on one of them. */
    public static String[] targets(int first, int n) {
        String[] t = new String[n];
        for (int i = 0; i < n; i++) {
            t[i] = "127.0.0.1:" + (first + i);
        }
        return t;
    }

    /** Start of a run of {@code n} consecutive ports outside the ephemeral range that were all free a moment ago. */
    public static int findRun(int n) throws IOException {
        List<int[]> ranges = ranges(ephemeralRange(EPHEMERAL));
        long total = 0;
        for (int[] r : ranges) {
            total += r[1] - r[0] + 1 - (n - 1);
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            long pick = ThreadLocalRandom.current().nextLong(total);
            int first = -1;
            for (int[] r : ranges) {
                long size = r[1] - r[0] + 1 - (n - 1);
                if (pick < size) {
                    first = (int) (r[0] + pick);
                    break;
                }
                pick -= size;
            }
            boolean ok = true;
            for (int p = first; p < first + n && ok; p++) {
                ok = bindable(p);
            }
            if (ok) {
                return first;
            }
        }
        throw new IOException("no run of " + n + " free ports in " + describe(ranges));
    }

    /** The machine's ephemeral range {low, high}; Linux's default where it cannot be read. */
    static int[] ephemeralRange(Path file) {
        try {
            String[] parts = Files.readString(file).trim().split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999};
        }
    }

    /** The ranges {low, high} outside the ephemeral one with room (1000 ports or more) to choose from. */
    static List<int[]> ranges(int[] ephemeral) {
        List<int[]> out = new ArrayList<>();
        if (ephemeral[0] - 1 - FLOOR >= 1000) {
            out.add(new int[] {FLOOR, ephemeral[0] - 1});
        }
        if (CEILING - (ephemeral[1] + 1) >= 1000) {
            out.add(new int[] {ephemeral[1] + 1, CEILING});
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("the ephemeral port range " + ephemeral[0] + "-" + ephemeral[1]
                    + " leaves no room for test ports");
        }
        return out;
    }

    /** Whether nothing holds the loopback port: a socket binds it without SO_REUSEADDR. */
    static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String describe(List<int[]> ranges) {
        StringBuilder sb = new StringBuilder();
        for (int[] r : ranges) {
            sb.append(sb.length() == 0 ? "" : ", ").append(r[0]).append('-').append(r[1]);
        }
        return sb.toString();
    }
}
