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
 * its data in a temporary directory. Queried through its HTTP API, as Grafana would.
 */
public final class PrometheusServer implements AutoCloseable {
    public static final String BINARY = System.getProperty("afmetrics.prometheus", "/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String baseUrl;
    private final Path dir;

    private PrometheusServer(Process process, String baseUrl, Path dir) {
        this.process = process;
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
        int port = FreePort.find();
        Process p = new ProcessBuilder(BINARY,
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusServer s = new PrometheusServer(p, "http://127.0.0.1:" + port, dir);
        s.awaitReady(Duration.ofSeconds(30));
        return s;
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
        String url = baseUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
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
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
