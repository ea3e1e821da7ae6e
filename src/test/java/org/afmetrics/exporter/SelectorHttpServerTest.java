package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain-HTTP server against real sockets on port 0: keep-alive, bodies, the connection cap and deadlines. */
class SelectorHttpServerTest {
    private SelectorHttpServer server;
    private DeadlineExecutor executor;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(int cap) throws IOException {
        server = SelectorHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64, cap);
        executor = new DeadlineExecutor(4, ExporterServer.DEADLINES_MILLIS, ExporterServer.PRESSED_DEADLINES_MILLIS);
        server.setExecutor(executor);
        server.createContext("/", SelectorHttpServerTest::echo);
        server.start();
    }

    /** Answers the method, path and the body's length. */
    private static void echo(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        byte[] answer = (ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + body.length)
                .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, answer.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(answer);
        }
    }

    @AfterEach
    void stop() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
        if (server != null) {
            server.stop(0);
            executor.shutdown();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
        s.setSoTimeout(5_000);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One response (head and Content-Length body) read from the stream. */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after: " + head);
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head.toString().split("\r\n")[0] + " | " + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | GET /a 0", response(s.getInputStream()));
        send(s, "POST /b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nxyz"
                + "GET /c HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | POST /b 3", response(s.getInputStream()));
        assertEquals("HTTP/1.1 200 OK | GET /c 0", response(s.getInputStream()));
    }

    @Test
    void aChunkedBodyIsReadWholeAndTheConnectionKept() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "POST /p HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\na;ext=1\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | POST /p 15", response(s.getInputStream()));
        send(s, "GET /again HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | GET /again 0", response(s.getInputStream()));
    }

    @Test
    void aMalformedChunkedBodyClosesTheConnection() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "POST /p HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        assertTrue(closedByServer(s));
    }

    @Test
    void aBrokenHeadGetsItsStatusAndTheConnectionIsClosed() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "GET /a HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0000b\r\n\r\n");
        String r = response(s.getInputStream());
        assertTrue(r.startsWith("HTTP/1.1 400 "), r);
        assertTrue(closedByServer(s));
    }

    @Test
    void aHeadOverTheLimitGets431() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "GET /a HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + "a".repeat(RequestHead.MAX_BYTES) + "\r\n\r\n");
        assertTrue(response(s.getInputStream()).startsWith("HTTP/1.1 431 "));
    }

    @Test
    void atTheCapTheLongestSilentConnectionGoesAndAFreshRequestIsServed() throws Exception {
        start(4);
        Socket idleScraper = connect();
        send(idleScraper, "GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | GET /first 0", response(idleScraper.getInputStream()));
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            silent.add(connect());
            Thread.sleep(20);
        }
        Socket fresh = connect();
        send(fresh, "GET /fresh HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | GET /fresh 0", response(fresh.getInputStream()));
        // the never-speaking ones went first, oldest first; the idle keep-alive scraper stays
        assertTrue(closedByServer(silent.get(0)), "the oldest silent connection was closed");
        assertTrue(closedByServer(silent.get(1)), "the next oldest silent connection was closed");
        send(idleScraper, "GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK | GET /second 0", response(idleScraper.getInputStream()));
        assertTrue(server.openConnections() <= 4, "open: " + server.openConnections());
    }

    @Test
    void aHeadThatDoesNotArriveInTimeIsCut() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "GET /slow HTTP/1.1\r\nHost: local");
        long start = System.nanoTime();
        assertTrue(closedByServer(s));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= SelectorHttpServer.HEAD_MILLIS - 200 && ms < 4_500, "cut after " + ms + " ms");
        assertEquals(1L, server.closedByServer().get(SelectorHttpServer.Closed.HEAD_DEADLINE));
        assertEquals(1L, executor.cutOff().get(DeadlineExecutor.Phase.HEAD));
    }

    @Test
    void expectContinueIsAnsweredWhenTheHandlerReadsTheBody() throws Exception {
        start(16);
        Socket s = connect();
        send(s, "POST /p HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        InputStream in = s.getInputStream();
        byte[] cont = in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(cont, StandardCharsets.ISO_8859_1));
        send(s, "body");
        assertEquals("HTTP/1.1 200 OK | POST /p 4", response(in));
    }

    @Test
    void anUnknownPathIs404WhenNoContextHasIt() throws Exception {
        server = SelectorHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64, 8);
        executor = new DeadlineExecutor(2, ExporterServer.DEADLINES_MILLIS, ExporterServer.PRESSED_DEADLINES_MILLIS);
        server.setExecutor(executor);
        server.createContext("/metrics", SelectorHttpServerTest::echo);
        server.start();
        Socket s = connect();
        send(s, "GET /other HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertTrue(response(s.getInputStream()).startsWith("HTTP/1.1 404 "));
    }

    /** A large response written whole by its handler leaves no direct buffer of its size behind on the exchange thread. */
    @Test
    void aLargeResponseIsWrittenWithoutALargeDirectBuffer() throws Exception {
        byte[] big = new byte[8 << 20];
        java.util.Arrays.fill(big, (byte) 'x');
        server = SelectorHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64, 8);
        executor = new DeadlineExecutor(2, ExporterServer.DEADLINES_MILLIS, ExporterServer.PRESSED_DEADLINES_MILLIS);
        server.setExecutor(executor);
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, big.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(big);
            }
        });
        server.start();
        long before = directBytes();
        Socket s = connect();
        send(s, "GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n");
        String r = response(s.getInputStream());
        assertTrue(r.startsWith("HTTP/1.1 200 OK | xxx") && r.length() > big.length, "the whole body came");
        long grew = directBytes() - before;
        assertTrue(grew < 1 << 20, "direct memory grew by " + grew + " bytes for an 8 MiB response");
    }

    private static long directBytes() {
        for (java.lang.management.BufferPoolMXBean pool
                : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
