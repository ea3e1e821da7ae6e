package org.afmetrics.testing.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What another local user on a shared host can do to a kernel's push endpoint, run as that user:
 * {@code OtherUserLoad FILL THREADS} fills the socket table with FILL TIME_WAIT entries
 * (loopback connections to its own listeners on 127.88.0.1, closed at once: each entry lives
 * 60 s and holds no descriptor), prints {@code table N} (the entries now in
 * {@code /proc/net/tcp} and {@code tcp6}), reads a port from its standard input, then sends
 * pushes to 127.0.0.1:PORT from THREADS threads, each on a new connection, until its standard
 * input ends; then prints {@code answers STATUS=COUNT ...} and exits. Loopback only; the fill is
 * bounded by FILL.
 */
public final class OtherUserLoad {
    private static final String BODY = "{\"stolen\": 1}";
    private static volatile boolean on = true;

    private OtherUserLoad() {
    }

    public static void main(String[] args) throws Exception {
        int fill = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        fill(fill);
        System.out.println("table " + (entries("/proc/net/tcp") + entries("/proc/net/tcp6")));
        System.out.flush();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = System.in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        if (c < 0) {
            return;
        }
        int port = Integer.parseInt(line.toString().trim());

        Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        List<Thread> pushers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (on) {
                    answers.computeIfAbsent(push(port), k -> new AtomicLong()).incrementAndGet();
                }
            }, "pusher-" + i);
            t.setDaemon(true);
            t.start();
            pushers.add(t);
        }
        while (System.in.read() >= 0) {
            // until the test closes our input
        }
        on = false;
        for (Thread t : pushers) {
            t.join(10_000);
        }
        StringBuilder sb = new StringBuilder("answers");
        new TreeMap<>(answers).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v.get()));
        System.out.println(sb);
    }

    /** Leaves {@code count} TIME_WAIT entries: connections to own listeners, closed by this side first. */
    private static void fill(int count) throws IOException, InterruptedException {
        InetAddress at = InetAddress.getByName("127.88.0.1");
        List<ServerSocket> listeners = new ArrayList<>();
        List<Thread> acceptors = new ArrayList<>();
        // an ephemeral port range has ~28 000 ports, and the kernel reuses a loopback TIME_WAIT's port
        // when it picks one already used towards the same listener: one listener for 8 000 connections
        for (int i = 0; i < (count + 7_999) / 8_000; i++) {
            ServerSocket server = new ServerSocket(0, 4096, at);
            listeners.add(server);
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        s.close();
                    }
                } catch (IOException e) {
                    // listener closed: done
                }
            }, "acceptor-" + i);
            t.setDaemon(true);
            t.start();
            acceptors.add(t);
        }
        for (int i = 0; i < count; i++) {
            ServerSocket to = listeners.get(i % listeners.size());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(at, to.getLocalPort()), 5_000);
            }
        }
        Thread.sleep(200);
        for (ServerSocket s : listeners) {
            s.close();
        }
    }

    private static long entries(String table) {
        try {
            try (java.util.stream.Stream<String> lines = Files.lines(Paths.get(table))) {
                return Math.max(0, lines.count() - 1);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** One push on a new connection; the status code, or what went wrong. */
    private static String push(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /notebook-metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return head.length == 12 ? new String(head, 9, 3, StandardCharsets.ISO_8859_1) : "closed";
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }
}
