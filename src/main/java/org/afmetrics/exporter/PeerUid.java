package org.afmetrics.exporter;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The user behind a loopback connection, as Linux tells it: the kernel's socket table
 * ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) lists every TCP socket with the uid that
 * owns it, so the caller's socket (local address = the caller's, remote = ours, state
 * ESTABLISHED) names its user. Where the table is missing or the socket is not in it, the answer
 * is "unknown", and the push endpoint then serves only callers with the push token.
 *
 * <p>Another local user can fill the table (130 000 TIME_WAIT entries, ~20 MB of text, hold no
 * descriptor), so it is never read into memory: it is streamed through one small buffer, each
 * line's fields parsed in place (no String per line or field), a line dropped at its first field
 * that differs, and the scan stops at the caller's socket. A scan costs time in proportion to
 * the table (the kernel writes the text), but no heap; {@link HttpSecurity} runs one at a time.
 */
final class PeerUid {
    static final long UNKNOWN = -1;
    /** The answer of {@link Rounds} when the caller could not be looked up in time. */
    static final long BUSY = -2;
    private static final Path TCP = Paths.get("/proc/net/tcp");
    private static final Path TCP6 = Paths.get("/proc/net/tcp6");
    private static final int BUFFER_BYTES = 8192;
    /** The {@code st} column of an ESTABLISHED socket ({@code TCP_ESTABLISHED} in the kernel). */
    private static final int ESTABLISHED = 0x01;

    /** Who is this process and who is at the other end of a connection; the /proc one by default. */
    interface Lookup {
        /** This process's uid, or {@link #UNKNOWN}. */
        long self();

        /** The uid owning the socket at {@code peer} connected to {@code local}, or {@link #UNKNOWN}. */
        long of(InetSocketAddress peer, InetSocketAddress local);

        /** The uid of each caller ({@code peers[i]} connected to {@code locals[i]}) in {@code uids[i]}. */
        default void of(InetSocketAddress[] peers, InetSocketAddress[] locals, long[] uids) {
            for (int i = 0; i < peers.length; i++) {
                uids[i] = of(peers[i], locals[i]);
            }
        }
    }

    /** The kernel's answer: {@code /proc/self}'s owner and the socket tables. */
    static final Lookup PROC = new Lookup() {
        @Override
        public long self() {
            return PeerUid.self();
        }

        @Override
        public long of(InetSocketAddress peer, InetSocketAddress local) {
            return PeerUid.of(peer, local, TCP, TCP6);
        }

        @Override
        public void of(InetSocketAddress[] peers, InetSocketAddress[] locals, long[] uids) {
            PeerUid.of(peers, locals, uids, TCP, TCP6);
        }
    };

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

    /** The uid owning the socket at {@code peer} connected to {@code local}, from the given tables in turn. */
    static long of(InetSocketAddress peer, InetSocketAddress local, Path... tables) {
        long[] uid = new long[1];
        of(new InetSocketAddress[] {peer}, new InetSocketAddress[] {local}, uid, tables);
        return uid[0];
    }

    /**
     * The uid of every caller in one pass over each table (a table is read at most once for them
     * all, and no further than the last of them): {@code uids[i]} for {@code peers[i]} connected
     * to {@code locals[i]}, {@link #UNKNOWN} where the tables do not have it.
     */
    static void of(InetSocketAddress[] peers, InetSocketAddress[] locals, long[] uids, Path... tables) {
        int n = peers.length;
        Endpoint[] from = new Endpoint[n];
        Endpoint[] to = new Endpoint[n];
        int wanted = 0;
        for (int i = 0; i < n; i++) {
            uids[i] = UNKNOWN;
            InetSocketAddress p = peers[i];
            InetSocketAddress l = locals[i];
            if (p != null && l != null && p.getAddress() != null && l.getAddress() != null) {
                from[i] = new Endpoint(p);
                to[i] = new Endpoint(l);
                wanted++;
            }
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        for (int t = 0; t < tables.length && wanted > 0; t++) {
            wanted -= scan(tables[t], from, to, uids, buffer);
        }
    }

    /** Fills in the uids this table has of those still unknown; how many it found. */
    private static int scan(Path table, Endpoint[] peers, Endpoint[] locals, long[] uids, byte[] buffer) {
        LineParser line = new LineParser(peers, locals, uids);
        // a FileInputStream, not a channel: an interrupt (an exchange's deadline) does not cut a scan that
        // others wait for, and the scan is bounded by the table anyway
        try (InputStream in = new FileInputStream(table.toFile())) {
            int n;
            while (line.missing() > 0 && (n = in.read(buffer)) > 0) {
                for (int i = 0; i < n && line.missing() > 0; i++) {
                    if (line.skipping()) {
                        // the rest of a line ruled out: straight to its end
                        while (i < n && buffer[i] != '\n') {
                            i++;
                        }
                        if (i == n) {
                            break;
                        }
                    }
                    line.feed(buffer[i]);
                }
            }
            line.end();
        } catch (IOException | RuntimeException e) {
            // what was found stands; the rest stays unknown
        }
        return line.found();
    }

    /**
     * An address and port as the socket table writes them: the address in 32-bit words, each the
     * hex of the word read in host (little-endian) byte order; an IPv4 address (or IPv4 mapped in
     * IPv6) as one word, compared whichever table writes it.
     */
    static final class Endpoint {
        final boolean v4;
        final int[] words = new int[4];
        final int port;

        Endpoint(InetSocketAddress a) {
            InetAddress address = a.getAddress();
            byte[] b = address.getAddress();
            if (!(address instanceof Inet4Address) && isMappedV4(b)) {
                b = new byte[] {b[12], b[13], b[14], b[15]};
            }
            v4 = b.length == 4;
            for (int w = 0; w < b.length / 4; w++) {
                words[v4 ? 3 : w] = word(b, w * 4);
            }
            port = a.getPort();
        }

        private static int word(byte[] b, int at) {
            return (b[at + 3] & 0xff) << 24 | (b[at + 2] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at] & 0xff);
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

    /**
     * Parses the table a byte at a time: {@code sl local_address rem_address st tx:rx tr:when
     * retrnsmt uid ...}, the first line a header. Fields are counted at runs of blanks; a line is
     * given up at its first field that rules it out.
     */
    private static final class LineParser {
        private static final int FIELD_LOCAL = 1;
        private static final int FIELD_REMOTE = 2;
        private static final int FIELD_STATE = 3;
        private static final int FIELD_UID = 7;

        private final Endpoint[] peers;
        private final Endpoint[] locals;
        private final long[] uids;
        private int missing;
        private int found;
        /** The caller whose socket this line may be, once its local address matched. */
        private int candidate;
        private boolean header = true;
        private boolean skip;
        private boolean inField;
        private int field;
        // the field being read
        private final int[] words = new int[4];
        private int word;
        private int digits;
        private boolean colon;
        private int port;
        private int portDigits;
        private long number;
        private int numberDigits;

        LineParser(Endpoint[] peers, Endpoint[] locals, long[] uids) {
            this.peers = peers;
            this.locals = locals;
            this.uids = uids;
            for (int i = 0; i < peers.length; i++) {
                missing += peers[i] != null && uids[i] == UNKNOWN ? 1 : 0;
            }
        }

        int missing() {
            return missing;
        }

        /** Whether the rest of this line can be passed over (the header, or a line ruled out). */
        boolean skipping() {
            return header || skip;
        }

        int found() {
            return found;
        }

        /** Takes one byte of the table. */
        void feed(byte c) {
            if (c == '\n') {
                if (!header && !skip && inField) {
                    endField();
                }
                newLine();
                return;
            }
            if (header || skip) {
                return;
            }
            if (c == ' ' || c == '\t') {
                if (inField) {
                    endField();
                    inField = false;
                    field++;
                }
                return;
            }
            if (!inField) {
                inField = true;
                word = 0;
                digits = 0;
                colon = false;
                port = 0;
                portDigits = 0;
                number = 0;
                numberDigits = 0;
            }
            switch (field) {
                case FIELD_LOCAL:
                case FIELD_REMOTE:
                    address(c);
                    break;
                case FIELD_STATE:
                    hexNumber(c);
                    break;
                case FIELD_UID:
                    decimal(c);
                    break;
                default:
                    break;
            }
        }

        /** A last line without a line end. */
        void end() {
            if (!header && !skip && inField) {
                endField();
            }
        }

        private void newLine() {
            header = false;
            skip = false;
            inField = false;
            field = 0;
        }

        private void address(byte c) {
            if (c == ':' && !colon) {
                colon = true;
                return;
            }
            int h = hex(c);
            if (h < 0) {
                skip = true;
            } else if (!colon) {
                if (digits >= 32) {
                    skip = true;
                    return;
                }
                word = word << 4 | h;
                digits++;
                if (digits % 8 == 0) {
                    words[digits / 8 - 1] = word;
                    word = 0;
                }
            } else if (++portDigits > 4) {
                skip = true;
            } else {
                port = port << 4 | h;
            }
        }

        private void hexNumber(byte c) {
            int h = hex(c);
            if (h < 0 || ++numberDigits > 8) {
                skip = true;
            } else {
                number = number << 4 | h;
            }
        }

        private void decimal(byte c) {
            if (c < '0' || c > '9' || ++numberDigits > 10) {
                skip = true;
            } else {
                number = number * 10 + (c - '0');
            }
        }

        /** Ends the field just read: rules the line out, or (at the uid) takes it. */
        private void endField() {
            switch (field) {
                case FIELD_LOCAL:
                    candidate = -1;
                    for (int i = 0; i < peers.length && candidate < 0; i++) {
                        if (peers[i] != null && uids[i] == UNKNOWN && sameAs(peers[i])) {
                            candidate = i;
                        }
                    }
                    skip = candidate < 0;
                    break;
                case FIELD_REMOTE:
                    skip = !sameAs(locals[candidate]);
                    break;
                case FIELD_STATE:
                    skip = number != ESTABLISHED;
                    break;
                case FIELD_UID:
                    skip = true; // the rest of the line says nothing more
                    if (numberDigits > 0) {
                        uids[candidate] = number;
                        missing--;
                        found++;
                    }
                    break;
                default:
                    break;
            }
        }

        private boolean sameAs(Endpoint e) {
            if (!colon || portDigits == 0 || port != e.port) {
                return false;
            }
            if (digits == 8) {
                return e.v4 && words[0] == e.words[3];
            }
            if (digits != 32) {
                return false;
            }
            if (words[0] == 0 && words[1] == 0 && words[2] == 0xFFFF0000) {
                return e.v4 && words[3] == e.words[3];
            }
            return !e.v4 && words[0] == e.words[0] && words[1] == e.words[1] && words[2] == e.words[2]
                    && words[3] == e.words[3];
        }

        private static int hex(byte c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            return -1;
        }
    }

    /**
     * Lookups in rounds: whoever asks while no scan runs scans for every caller waiting at that
     * moment, in one pass; whoever asks while one runs waits for the next round. So one scan runs
     * at a time however many callers ask, and each waits at most about two scans. Waiting is
     * bounded: at most {@code maxWaiting} callers at once (beyond them {@link #BUSY} at once), each
     * for at most {@code maxWaitMillis} (then {@link #BUSY}); a caller whose own scan takes longer
     * still gets its answer.
     */
    static final class Rounds {
        private final Lookup lookup;
        private final int maxWaiting;
        private final long maxWaitNanos;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition roundDone = lock.newCondition();
        private List<Query> pending = new ArrayList<>();
        private int waiting;
        private boolean scanning;

        Rounds(Lookup lookup, int maxWaiting, long maxWaitMillis) {
            this.lookup = lookup;
            this.maxWaiting = maxWaiting;
            this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        }

        private static final class Query {
            final InetSocketAddress peer;
            final InetSocketAddress local;
            long uid = UNKNOWN;
            boolean done;

            Query(InetSocketAddress peer, InetSocketAddress local) {
                this.peer = peer;
                this.local = local;
            }
        }

        /** The caller's uid, {@link #UNKNOWN}, or {@link #BUSY} when it could not be looked up in time. */
        long of(InetSocketAddress peer, InetSocketAddress local) {
            Query q = new Query(peer, local);
            long deadline = System.nanoTime() + maxWaitNanos;
            lock.lock();
            try {
                if (waiting >= maxWaiting) {
                    return BUSY;
                }
                waiting++;
                pending.add(q);
                try {
                    while (!q.done) {
                        if (!scanning) {
                            scanRound();
                            continue;
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            pending.remove(q);
                            return BUSY;
                        }
                        try {
                            roundDone.awaitNanos(left);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            pending.remove(q);
                            return BUSY;
                        }
                    }
                    return q.uid;
                } finally {
                    waiting--;
                }
            } finally {
                lock.unlock();
            }
        }

        /** With the lock held: takes the waiting callers, scans for them without the lock, answers them. */
        private void scanRound() {
            scanning = true;
            List<Query> batch = pending;
            pending = new ArrayList<>();
            int n = batch.size();
            InetSocketAddress[] peers = new InetSocketAddress[n];
            InetSocketAddress[] locals = new InetSocketAddress[n];
            long[] uids = new long[n];
            for (int i = 0; i < n; i++) {
                peers[i] = batch.get(i).peer;
                locals[i] = batch.get(i).local;
                uids[i] = UNKNOWN;
            }
            lock.unlock();
            try {
                lookup.of(peers, locals, uids);
            } finally {
                lock.lock();
                scanning = false;
                for (int i = 0; i < n; i++) {
                    batch.get(i).uid = uids[i];
                    batch.get(i).done = true;
                }
                roundDone.signalAll();
            }
        }
    }
}
