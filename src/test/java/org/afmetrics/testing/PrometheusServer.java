package org.afmetrics.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Debian's Prometheus server on a loopback port, scraping the given targets every second, with
 * its data in a temporary directory. Queried through its HTTP API, as Grafana would. The same
 * binary also runs as a node agent ({@link #agent}: agent mode, forwarding by remote_write) and as
 * the central server receiving from the agents ({@link #central}), which can be stopped and
 * started again on the same port and data directory.
 */
public final class PrometheusServer implements AutoCloseable {
    public static final String BINARY = System.getProperty("afmetrics.prometheus", "/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> command;
    private Process process;
    private final String baseUrl;
    private final Path dir;

    private PrometheusServer(List<String> command, String baseUrl, Path dir) {
        this.command = command;
        this.baseUrl = baseUrl;
        this.dir = dir;
    }

    /** Starts with a config whose {@code scrape_configs} section is given as YAML text. */
    public static PrometheusServer start(String scrapeConfigsYaml) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("afm-prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n" + scrapeConfigsYaml);
        return startWithConfig(config, dir);
    }

    /** Starts scraping static loopback targets ({@code host:port}) as job {@code af-metrics}. */
    public static PrometheusServer scraping(String... targets) throws IOException, InterruptedException {
        StringBuilder t = new StringBuilder();
        for (String target : targets) {
            t.append(t.length() == 0 ? "" : ", ").append('\'').append(target).append('\'');
        }
        return start("  - job_name: af-metrics\n    static_configs:\n      - targets: [" + t + "]\n");
    }

    public static PrometheusServer startWithConfig(Path config, Path dir) throws IOException, InterruptedException {
        return launch(dir, FreePort.find(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.enable-lifecycle");
    }

    /**
     * A central server: its config (rules, no kernel job), and the remote-write receiver the node
     * agents send to ({@code /api/v1/write} on {@link #baseUrl}), on a given port so that it can come
     * back where the agents expect it.
     */
    public static PrometheusServer central(Path config, Path dir, int port) throws IOException, InterruptedException {
        return launch(dir, port, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.enable-remote-write-receiver");
    }

    /**
     * A node agent: Prometheus in agent mode (scrape, keep a write-ahead log, forward by remote_write;
     * no queries, no rules), its WAL in {@code dir}.
     */
    public static PrometheusServer agent(Path config, Path dir) throws IOException, InterruptedException {
        return launch(dir, FreePort.find(), "--enable-feature=agent", "--config.file=" + config,
                "--storage.agent.path=" + dir.resolve("agent-data"));
    }

    private static PrometheusServer launch(Path dir, int port, String... flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(BINARY);
        command.addAll(List.of(flags));
        command.add("--web.listen-address=127.0.0.1:" + port);
        PrometheusServer s = new PrometheusServer(command, "http://127.0.0.1:" + port, dir);
        s.start();
        return s;
    }

    /** Starts the process (again, with the same port, config and data), and waits until it is ready. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prometheus.log").toFile()))
                .start();
        awaitReady(Duration.ofSeconds(30));
    }

    /** Stops the process as an operator would (SIGTERM), and waits for it to be gone. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Prometheus's own metrics (remote_write queues, WAL, ingestion), as text. */
    public Exposition selfMetrics() throws IOException, InterruptedException {
        return Http.scrape(baseUrl + "/metrics");
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited: " + log());
            }
            try {
                if (Http.get(baseUrl + "/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("prometheus not ready within " + timeout + ": " + log());
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String log() throws IOException {
        Path log = dir.resolve("prometheus.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** An instant query; the {@code data.result} array. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return get(baseUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), promql);
    }

    /**
     * An instant query evaluated at a time (Unix seconds); with a range selector such as
     * {@code up[60s]} the result holds the raw samples of the 60 s before that time.
     */
    public JsonNode queryAt(String promql, double unixSeconds) throws IOException, InterruptedException {
        return get(baseUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + String.format(java.util.Locale.ROOT, "%.3f", unixSeconds), promql);
    }

    private JsonNode get(String url, String promql) throws IOException, InterruptedException {
        JsonNode body = JSON.readTree(Http.get(url).body());
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("query " + promql + " failed: " + body);
        }
        return body.path("data").path("result");
    }

    /** Polls the query until its result satisfies the condition; fails with the last result. */
    public JsonNode awaitQuery(String promql, Predicate<JsonNode> condition, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last;
        do {
            last = query(promql);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("query " + promql + " never satisfied the condition within " + timeout
                + "; last result: " + last + "; targets: " + Http.get(baseUrl + "/api/v1/targets").body());
    }

    /** Polls the query until it gives exactly one element, with the expected value. */
    public JsonNode awaitValue(String promql, double expected, Duration timeout)
            throws IOException, InterruptedException {
        return awaitQuery(promql, r -> r.size() == 1 && value(r.get(0)) == expected, timeout);
    }

    /**
     * The values of one label across the series matching a selector, as Grafana's
     * {@code label_values(selector, label)} variable query lists them.
     */
    public List<String> seriesLabelValues(String selector, String label) throws IOException, InterruptedException {
        String url = baseUrl + "/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8);
        JsonNode body = JSON.readTree(Http.get(url).body());
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("series " + selector + " failed: " + body);
        }
        java.util.TreeSet<String> values = new java.util.TreeSet<>();
        for (JsonNode s : body.path("data")) {
            if (s.has(label)) {
                values.add(s.path(label).asText());
            }
        }
        return new ArrayList<>(values);
    }

    /** The value of one vector element, as Prometheus gives it ({@code [ts, "v"]}). */
    public static double value(JsonNode element) {
        return Double.parseDouble(element.path("value").get(1).asText());
    }

    /** The label values of one label across a vector result. */
    public static List<String> labelValues(JsonNode result, String label) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : result) {
            out.add(e.path("metric").path(label).asText(null));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
