package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The socket-table scan on synthetic tables written as the kernel writes them. */
class PeerUidTest {
    private static final String HEAD4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode\n";
    private static final String HEAD6 = "  sl  local_address                         remote_address"
            + "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private static final String MAPPED = "0000000000000000FFFF0000";

    @TempDir
    Path dir;

    /** One table line: {@code sl: local remote st ... uid ...} as the kernel pads it. */
    private static String line(int sl, String local, String remote, String st, long uid) {
        return String.format("%4d: %s %s %s 00000000:00000000 00:00000000 00000000 %5d        0 %d 1"
                + " 0000000000000000 20 4 30 10 -1                     \n", sl, local, remote, st, uid, 10_000 + sl);
    }

    private Path table(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.US_ASCII);
        return p;
    }

    private static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    /** The agent listens on 127.0.0.1:8000 (1F40); callers come from port 40000 (9C40). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "established IPv4 caller in tcp                        | 127.0.0.1 | 1001",
        "the same caller in tcp6, IPv4 mapped                   | ::ffff:127.0.0.1 | 1001",
        "another address: not in the table                     | 127.0.0.2 | -1",
    })
    void theCallersEstablishedSocketNamesItsUser(String name, String caller, long uid) throws Exception {
        String local4 = "0100007F:1F40";
        String caller4 = "0100007F:9C40";
        Path tcp = table("tcp", HEAD4
                + line(0, local4, "00000000:0000", "0A", 0) // the agent's listener
                + line(1, caller4, local4, "06", 0) // an earlier connection from the same port, in TIME_WAIT
                + line(2, local4, caller4, "01", 0) // the agent's own end of the connection: its own uid
                + "garbage line with no fields worth reading\n"
                + line(3, "0100007F:9C41", local4, "01", 2002) // another caller
                + line(4, caller4, local4, "01", 1001)); // the caller
        Path tcp6 = table("tcp6", HEAD6
                + line(0, MAPPED + "0100007F:9C40", MAPPED + "0100007F:1F40", "06", 0)
                + line(1, MAPPED + "0100007F:9C40", MAPPED + "0100007F:1F40", "01", 1001));
        Path empty = table("empty", HEAD4);
        Path withCaller = caller.contains(":") ? tcp6 : tcp;
        if (withCaller == tcp6) {
            // the caller only in tcp6: tcp is scanned first and has no such socket
            tcp = empty;
        } else {
            tcp6 = empty;
        }
        assertEquals(uid, PeerUid.of(at(caller, 40000), at("127.0.0.1", 8000), tcp, tcp6));
    }

    @Test
    void anIpv6CallerAndTheTableEdges() throws Exception {
        // ::1 is 00000000 00000000 00000000 01000000 in the table's word order
        String one = "00000000000000000000000001000000";
        Path tcp6 = table("tcp6", HEAD6 + line(0, one + ":9C40", one + ":1F40", "01", 1001)
                + line(1, one + ":9C41", one + ":1F40", "01", 4294967294L).trim());
        assertEquals(1001, PeerUid.of(at("::1", 40000), at("::1", 8000), tcp6));
        assertEquals(4294967294L, PeerUid.of(at("::1", 40001), at("::1", 8000), tcp6), "a last line without its end");
        assertEquals(-1, PeerUid.of(at("::1", 40000), at("::1", 8001), tcp6), "another server port");
        assertEquals(-1, PeerUid.of(at("127.0.0.1", 40000), at("127.0.0.1", 8000), tcp6), "IPv4 is not ::1");
        assertEquals(-1, PeerUid.of(at("::1", 40000), at("::1", 8000), dir.resolve("missing")));
        assertEquals(-1, PeerUid.of(null, at("::1", 8000), tcp6));
        assertEquals(-1, PeerUid.of(at("::1", 40000), at("::1", 8000), table("headless", line(0, one + ":9C40",
                one + ":1F40", "01", 1001))), "the first line is the header, whatever it holds");
        Path overlong = table("overlong", HEAD4 + line(0, "0100007F0:9C40", "0100007F:1F40", "01", 5)
                + line(1, "0100007F:9C40", "0100007F:1F40", "01", 99999999999L)
                + line(2, "0100007F:9C40", "0100007F:1F40", "01", 7));
        assertEquals(7, PeerUid.of(at("127.0.0.1", 40000), at("127.0.0.1", 8000), overlong),
                "lines with an overlong address or uid are ruled out, not misread");
    }

    @Test
    void aFullTableIsStreamedThroughASmallBufferForManyCallersAtOnce() throws Exception {
        Path big = dir.resolve("big");
        int entries = 200_000;
        try (BufferedWriter w = Files.newBufferedWriter(big, StandardCharsets.US_ASCII)) {
            w.write(HEAD4);
            for (int i = 0; i < entries; i++) {
                // TIME_WAIT entries from 127.88.0.1 to other ports: what another user can leave behind
                w.write(line(i, String.format("0100587F:%04X", 1024 + i % 60000), String.format("0100587F:%04X",
                        i / 60000 + 2000), "06", 0));
            }
            w.write(line(entries, "0100007F:9C40", "0100007F:1F40", "01", 1001));
            w.write(line(entries + 1, "0100007F:9C41", "0100007F:1F40", "01", 2002));
        }
        assertTrue(Files.size(big) > 20_000_000, "a table as large as the one observed: " + Files.size(big));
        InetSocketAddress local = at("127.0.0.1", 8000);
        InetSocketAddress[] peers = {at("127.0.0.1", 40000), at("127.0.0.1", 40001), at("127.0.0.1", 40002)};
        long[] uids = new long[3];
        PeerUid.of(peers, new InetSocketAddress[] {local, local, local}, uids, big); // warm up
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        long start = System.nanoTime();
        PeerUid.of(peers, new InetSocketAddress[] {local, local, local}, uids, big);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - allocatedBefore;
        assertEquals(List.of(1001L, 2002L, -1L), List.of(uids[0], uids[1], uids[2]), "three callers, one pass");
        assertTrue(allocated < 64 * 1024, "a 200 000-entry table costs no heap to scan: " + allocated + " bytes");
        System.out.println("scan of " + Files.size(big) + " bytes (" + entries + " entries): " + millis + " ms, "
                + allocated + " bytes allocated");
    }

    /** A lookup that holds each scan until released, counting scans and the callers each served. */
    private static final class SlowLookup implements PeerUid.Lookup {
        final AtomicInteger scans = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final List<Integer> batchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        final long scanMillis;

        SlowLookup(long scanMillis) {
            this.scanMillis = scanMillis;
        }

        @Override
        public long self() {
            return 1000;
        }

        @Override
        public long of(InetSocketAddress peer, InetSocketAddress local) {
            throw new AssertionError("looked up one by one");
        }

        @Override
        public void of(InetSocketAddress[] peers, InetSocketAddress[] locals, long[] uids) {
            scans.incrementAndGet();
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            batchSizes.add(peers.length);
            try {
                Thread.sleep(scanMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < peers.length; i++) {
                uids[i] = peers[i].getPort(); // the test's callers use their uid as port
            }
            running.decrementAndGet();
        }
    }

    @Test
    void oneScanAtATimeServesEveryCallerWaitingAndWaitingIsBounded() throws Exception {
        SlowLookup lookup = new SlowLookup(100);
        PeerUid.Rounds rounds = new PeerUid.Rounds(lookup, 16, 1_000);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int uid = 2000 + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return rounds.of(at("127.0.0.1", uid), at("127.0.0.1", 8000));
                }));
            }
            go.countDown();
            for (int i = 0; i < 16; i++) {
                assertEquals(2000 + i, answers.get(i).get(5, TimeUnit.SECONDS), "caller " + i + " gets its own uid");
            }
            assertEquals(1, lookup.mostAtOnce.get(), "one scan at a time");
            assertTrue(lookup.scans.get() <= 3, "16 callers at once take at most a few rounds: " + lookup.batchSizes);
        } finally {
            pool.shutdownNow();
        }

        // a scan slower than the wait: the one scanning gets its answer, the others come back later
        SlowLookup slow = new SlowLookup(600);
        PeerUid.Rounds bounded = new PeerUid.Rounds(slow, 2, 200);
        ExecutorService three = Executors.newFixedThreadPool(3);
        try {
            Future<Long> first = three.submit(() -> bounded.of(at("127.0.0.1", 3001), at("127.0.0.1", 8000)));
            Thread.sleep(100);
            long start = System.nanoTime();
            Future<Long> second = three.submit(() -> bounded.of(at("127.0.0.1", 3002), at("127.0.0.1", 8000)));
            Thread.sleep(50);
            assertEquals(PeerUid.BUSY, bounded.of(at("127.0.0.1", 3003), at("127.0.0.1", 8000)),
                    "beyond the waiters' cap: busy at once");
            assertEquals(PeerUid.BUSY, second.get(5, TimeUnit.SECONDS), "waited its 200 ms, then busy");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 150 && waited < 550, "the wait is bounded: " + waited + " ms");
            assertEquals(3001, first.get(5, TimeUnit.SECONDS));
        } finally {
            three.shutdownNow();
        }
    }
}
