package org.afmetrics.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page at {@code /} of a real agent: identity, JSON sources and their state, links. */
class LandingPageIT {
    private static final Path CHROMIUM = Paths.get(System.getProperty("afmetrics.chromium", "/usr/bin/chromium"));

    @TempDir
    Path dir;

    private ChildJvm.Running agent() throws Exception {
        Files.writeString(dir.resolve("af-metrics.json"), "{\"entries\": 5, \"chunks\": 2}");
        return ChildJvm.main(SleepMain.class, "120000").agent("port=0,labels=site=unl")
                .env("JUPYTERHUB_USER", "eve<b>&co").env("JPY_SESSION_NAME", "cms/ttbar.ipynb").workDir(dir).start();
    }

    @Test
    void showsIdentitySourcesAndTheirErrorsAsEscapedHtml() throws Exception {
        try (ChildJvm.Running jvm = agent()) {
            String base = jvm.awaitExporterUrl(Duration.ofSeconds(30)).replace("/metrics", "");
            HttpResponse<String> page = Http.get(base + "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            String html = page.body();
            assertTrue(html.contains("<td>eve&lt;b&gt;&amp;co</td>"), html);
            assertTrue(html.contains("<td>" + jvm.pid() + "</td>"), "session");
            assertTrue(html.contains("<td>cms/ttbar.ipynb</td>") && html.contains("<td>unl</td>"), html);
            assertTrue(html.contains("<a href=\"/metrics\">"), html);
            String row = dir.resolve("af-metrics.json") + "</td><td>2</td>";
            assertTrue(html.contains(row), html);

            Files.writeString(dir.resolve("af-metrics.json"), "{\"entries\": ");
            html = Http.get(base + "/").body();
            assertTrue(html.contains("truncated 1"), html);
            assertTrue(html.contains("the JSON ends early"), html);
            assertTrue(html.contains(dir.resolve("af-metrics.json") + "</td><td>2</td>"), "last good kept: " + html);

            assertEquals(404, Http.get(base + "/nothing-here").statusCode());
            assertEquals(200, Http.get(base + "/metrics").statusCode());
            assertTrue(Http.get(base + "/metrics").body().contains("notebook_entries"));
        }
    }

    @Test
    void aRealBrowserShowsThePage() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (src/test/setup/install-test-deps.sh)");
        try (ChildJvm.Running jvm = agent()) {
            String base = jvm.awaitExporterUrl(Duration.ofSeconds(30)).replace("/metrics", "");
            Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
            Process browser = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--dump-dom",
                    base + "/")).redirectError(dir.resolve("chromium.log").toFile()).start();
            String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(browser.waitFor(60, TimeUnit.SECONDS));
            assertTrue(dom.contains("<h1>af-metrics agent"), dom + Files.readString(dir.resolve("chromium.log")));
            assertTrue(dom.contains("eve&lt;b&gt;&amp;co"), "the user's name is shown as text, not markup: " + dom);
            assertTrue(dom.contains(dir.resolve("af-metrics.json").toString()), dom);
        }
    }
}
