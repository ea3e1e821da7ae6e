package org.afmetrics.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Debian's Prometheus Pushgateway on a free loopback port, persisting to a temporary file only. */
public final class Pushgateway implements AutoCloseable {
    public static final String BINARY = System.getProperty("afmetrics.pushgateway", "/usr/bin/prometheus-pushgateway");

    private final Process process;
    private final int port;
    private final Path log;
    private final Path data;

    private Pushgateway(Process process, int port, Path log, Path data) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.data = data;
    }

    public static Pushgateway start() throws IOException, InterruptedException {
        int port = FreePort.find();
        Path log = Files.createTempFile("afm-pushgateway", ".log");
        // Debian's build persists to /var/lib/prometheus by default; each test gets a gateway of its own
        Path data = Files.createTempFile("afm-pushgateway", ".data");
        Files.delete(data);
        Process p = new ProcessBuilder(BINARY, "--web.listen-address=127.0.0.1:" + port,
                "--persistence.file=" + data)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Pushgateway g = new Pushgateway(p, port, log, data);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("pushgateway exited: " + Files.readString(log));
            }
            try {
                if (Http.get(g.url() + "/-/ready").statusCode() == 200) {
                    return g;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pushgateway not ready: " + Files.readString(log));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code host:port}, as a Prometheus target. */
    public String target() {
        return "127.0.0.1:" + port;
    }

    /** What the gateway holds now, as Prometheus would scrape it. */
    public Exposition scrape() throws IOException, InterruptedException {
        return Http.scrape(url() + "/metrics");
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
        Files.deleteIfExists(data);
    }
}
