package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopbackHttpServerTest {
    private LoopbackHttpServer server;
    private int port;

    /** One parsed response read off a raw connection. */
    private static final class Response {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        String body;
    }

    @BeforeEach
    void start() throws IOException {
        server = LoopbackHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/echo", LoopbackHttpServerTest::echo);
        server.createContext("/boom", ex -> {
            throw new IllegalStateException("handler bug");
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Answers "METHOD PATH bytes-of-body". */
    private static void echo(HttpExchange ex) throws IOException {
        byte[] in = ex.getRequestBody().readAllBytes();
        byte[] out = (ex.getRequestMethod() + " " + ex.getRequestURI() + " " + in.length)
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(out);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static Response read(InputStream in) throws IOException {
        Response r = new Response();
        String status = line(in);
        r.status = Integer.parseInt(status.split(" ")[1]);
        String l;
        while ((l = line(in)) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            r.headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        int n = Integer.parseInt(r.headers.getOrDefault("content-length", "0"));
        r.body = new String(in.readNBytes(n), StandardCharsets.UTF_8);
        return r;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Test
    void oneKeepAliveConnectionCarriesSeveralRequests() throws IOException {
        try (Socket s = connect()) {
            for (int i = 0; i < 3; i++) {
                send(s, "GET /echo?i=" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                Response r = read(s.getInputStream());
                assertEquals(200, r.status);
                assertEquals("GET /echo?i=" + i + " 0", r.body);
                assertEquals("text/plain", r.headers.get("content-type"));
                assertEquals(null, r.headers.get("connection"));
            }
        }
    }

    @Test
    void aBodyIsReadByContentLengthAfterExpectContinue() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals("HTTP/1.1 100 Continue", line(s.getInputStream()));
            assertEquals("", line(s.getInputStream()));
            send(s, "hello");
            assertEquals("POST /echo 5", read(s.getInputStream()).body);
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals("POST /echo 3", read(s.getInputStream()).body, "the connection goes on after a body");
        }
    }

    @Test
    void aChunkedBodyIsDecodedAndTheConnectionGoesOn() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n");
            assertEquals("POST /echo 12", read(s.getInputStream()).body);
            send(s, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("GET /echo 0", read(s.getInputStream()).body);
        }
    }

    @Test
    void http10AndConnectionCloseEndTheConnection() throws IOException {
        for (String req : new String[] {"GET /echo HTTP/1.0\r\n\r\n",
                "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"}) {
            try (Socket s = connect()) {
                send(s, req);
                Response r = read(s.getInputStream());
                assertEquals(200, r.status);
                assertEquals("close", r.headers.get("connection"));
                assertEquals(-1, s.getInputStream().read(), "then the server closes");
            }
        }
    }

    @Test
    void unknownPathsUnknownCodingsAndGarbageAreRefused() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(404, read(s.getInputStream()).status);
            send(s, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, read(s.getInputStream()).status, "a 404 keeps the connection");
        }
        try (Socket s = connect()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
            assertEquals(501, read(s.getInputStream()).status);
        }
        try (Socket s = connect()) {
            send(s, "NONSENSE\r\n\r\n");
            assertEquals(400, read(s.getInputStream()).status);
        }
    }

    @Test
    void aFailingHandlerGets500AndTheServerServesOn() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
            Response r = read(s.getInputStream());
            assertEquals(500, r.status);
            assertEquals("close", r.headers.get("connection"));
        }
        try (Socket s = connect()) {
            send(s, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, read(s.getInputStream()).status);
        }
    }

    @Test
    void authenticatorsAndExecutorsOfTheHttpServerApiAreHonoured() throws IOException {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicInteger ran = new AtomicInteger();
        server.setExecutor(command -> {
            ran.incrementAndGet();
            pool.execute(command);
        });
        server.createContext("/secret", LoopbackHttpServerTest::echo).setAuthenticator(new BasicAuthenticator("m") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return user.equals("prom") && password.equals("s3cret");
            }
        });
        try (Socket s = connect()) {
            send(s, "GET /secret HTTP/1.1\r\nHost: x\r\n\r\n");
            Response r = read(s.getInputStream());
            assertEquals(401, r.status);
            assertTrue(r.headers.get("www-authenticate").startsWith("Basic"), r.headers.toString());
            String token = java.util.Base64.getEncoder().encodeToString("prom:s3cret".getBytes(StandardCharsets.UTF_8));
            send(s, "GET /secret HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + token + "\r\n\r\n");
            assertEquals(200, read(s.getInputStream()).status);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, ran.get(), "both exchanges ran on the executor");
    }

    @Test
    void stopClosesEveryConnectionAndItsThreadsAreGoneWhenItReturns() throws IOException {
        Socket idle = connect();
        send(idle, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, read(idle.getInputStream()).status);
        server.stop(0);
        assertEquals(-1, idle.getInputStream().read(), "the kept-alive connection is closed");
        idle.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("af-metrics-http") || !t.isAlive(), t + " outlived stop");
        }
    }
}
