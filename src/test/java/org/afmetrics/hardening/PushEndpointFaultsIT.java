package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push endpoint under abuse, over real sockets: refused with the right status, counted, nothing lost. */
class PushEndpointFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GOOD = "{\"pushed_value\": 42}";

    @TempDir
    Path dir;

    @Test
    void abusiveRequestsAreRefusedAndTheLastPushStays() throws Exception {
        try (ChildJvm.Running baseline = ChildJvm.main(ScriptedHostMain.class).start();
             ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("port=0,push-max-bytes=2000")
                     .workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(WAIT);
            String push = url.replace("/metrics", "/notebook-metrics");
            assertEquals(200, Http.post(push, "application/json", GOOD).statusCode());

            String big = "{\"x\": \"" + "y".repeat(5000) + "\"}";
            assertEquals(413, Http.post(push, "application/json", big).statusCode(), "declared length over the limit");
            HttpResponse<String> chunked = Http.send(HttpRequest.newBuilder(URI.create(push))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                    .build());
            assertEquals(413, chunked.statusCode(), "chunked body read no further than the limit");
            HttpResponse<String> get = Http.get(push);
            assertEquals(405, get.statusCode());
            assertEquals("POST, DELETE", get.headers().firstValue("Allow").orElse(""));
            assertEquals(405, Http.send(HttpRequest.newBuilder(URI.create(push))
                    .PUT(HttpRequest.BodyPublishers.ofString(GOOD)).build()).statusCode());
            assertEquals(415, Http.post(push, "text/html", GOOD).statusCode());

            Exposition e = Http.scrape(url);
            assertEquals(42, e.find("notebook_pushed_value").value, "the last good push stays");
            assertEquals(2, e.find("afmetrics_json_errors_total", "source", "push", "reason", "too_large").value);
            assertEquals(1, e.find("afmetrics_json_errors_total", "source", "push", "reason", "bad_content_type").value);

            HostDriver.send(baseline, "exit 0");
            HostDriver.send(jvm, "exit 0");
            assertEquals(0, baseline.awaitExit(WAIT));
            assertEquals(0, jvm.awaitExit(WAIT));
            assertEquals(baseline.stdout(), jvm.stdout());
            List<String> said = HostDriver.agentComplaints(jvm);
            assertEquals(2, said.size(), "one line per reason: " + said);
            assertTrue(said.get(0).contains("json source push: too_large"), said.get(0));
            assertTrue(said.get(1).contains("json source push: bad_content_type"), said.get(1));
        }
    }

    /**
     * Clients that send their request a byte at a time hold a server thread each; they are cut off
     * and scrapes and pushes are answered meanwhile.
     */
    @Test
    void slowClientsDoNotStarveScrapes() throws Exception {
        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("port=0").workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(WAIT);
            URI u = URI.create(url);
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5000);
                    s.getOutputStream().write((i % 2 == 0 ? "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                            : "POST /notebook-metrics HTTP/1.1\r\nContent-Le").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    slow.add(s);
                }
                assertEquals(200, Http.get(url).statusCode(), "scrape answered with every thread once held");
                assertEquals(200, Http.post(url.replace("/metrics", "/notebook-metrics"), "application/json", GOOD)
                        .statusCode());
                for (Socket s : slow) {
                    s.setSoTimeout(20_000);
                    assertTrue(closedByServer(s.getInputStream()), "the slow connection is cut");
                }
                assertEquals(24, Http.scrape(url).find("afmetrics_http_exchanges_cut_off_total", "phase", "head").value,
                        "each cut counted once, as a head cut");
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            HostDriver.send(jvm, "exit 0");
            assertEquals(0, jvm.awaitExit(WAIT));
            assertEquals(List.of(), HostDriver.agentComplaints(jvm));
        }
    }

    private static boolean closedByServer(InputStream in) {
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /**
     * Bound to every address, the endpoint still serves loopback callers without a token; with a
     * push token configured, every caller needs it, loopback included. (Callers from other
     * addresses are refused by the same rule; HttpSecurityTest shows that, since tests here reach
     * no address outside loopback.)
     */
    @Test
    void pushTokenIsRequiredFromEveryCallerOnceConfigured() throws Exception {
        Path token = dir.resolve("push-token");
        Files.writeString(token, "s3cret-token\n");
        try (ChildJvm.Running open = ChildJvm.main(ScriptedHostMain.class).agent("host=0.0.0.0,port=0")
                .workDir(dir).start();
             ChildJvm.Running guarded = ChildJvm.main(ScriptedHostMain.class)
                     .agent("port=0,push-token-file=" + token).workDir(dir).start()) {
            String openUrl = open.awaitExporterUrl(WAIT);
            int openPort = URI.create(openUrl).getPort();
            assertEquals(200, Http.post("http://127.0.0.1:" + openPort + "/notebook-metrics", "application/json", GOOD)
                    .statusCode());

            String push = guarded.awaitExporterUrl(WAIT).replace("/metrics", "/notebook-metrics");
            assertEquals(403, Http.post(push, "application/json", GOOD).statusCode(), "no token");
            assertEquals(403, Http.send(HttpRequest.newBuilder(URI.create(push)).header("Authorization", "Bearer wrong")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GOOD))
                    .build()).statusCode(), "wrong token");
            assertEquals(200, Http.send(HttpRequest.newBuilder(URI.create(push))
                    .header("Authorization", "Bearer s3cret-token").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(GOOD)).build()).statusCode(), "right token");
            HostDriver.send(guarded, "exit 0");
            guarded.awaitExit(WAIT);
            String all = guarded.stderrLines().stream().collect(Collectors.joining("\n"));
            assertTrue(!all.contains("s3cret-token"), "the token is never printed");
        }
    }
}
