package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated dashboard type-checks against the Grafana foundation SDK's dashboard types
 * ({@code @grafana/grafana-foundation-sdk}, pinned in src/test/grafana/package-lock.json and
 * installed there by src/test/setup/install-test-deps.sh), compiled by TypeScript, offline.
 * {@code src/test/grafana/importable-dashboard.ts} turns the SDK's types into the dashboard
 * file's JSON form; mutated dashboards show that the check does reject what Grafana would not
 * read.
 */
class DashboardSchemaTest {
    static final Path CHECK = Paths.get("src", "test", "grafana").toAbsolutePath();

    @TempDir
    Path dir;

    /** TypeScript's verdict on a dashboard: exit status and messages. */
    private String[] typeCheck(String dashboardJson) throws Exception {
        Path modules = CHECK.resolve("node_modules");
        assertTrue(Files.isRegularFile(modules.resolve("typescript/bin/tsc"))
                        && Files.isDirectory(modules.resolve("@grafana/grafana-foundation-sdk/dist/dashboard")),
                "the Grafana foundation SDK is not installed: run src/test/setup/install-test-deps.sh");
        Files.createSymbolicLink(dir.resolve("node_modules"), modules);
        Files.copy(CHECK.resolve("tsconfig.json"), dir.resolve("tsconfig.json"));
        Files.copy(CHECK.resolve("importable-dashboard.ts"), dir.resolve("importable-dashboard.ts"));
        Files.writeString(dir.resolve("dashboard.ts"), "import type { ImportableDashboard } from \"./importable-dashboard.js\";\n"
                + "export const dashboard: ImportableDashboard = " + dashboardJson.trim() + ";\n", StandardCharsets.UTF_8);
        Process tsc = new ProcessBuilder("node", modules.resolve("typescript/bin/tsc").toString(), "-p", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(tsc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tsc.waitFor(120, TimeUnit.SECONDS), "tsc finished");
        return new String[] {Integer.toString(tsc.exitValue()), out};
    }

    @Test
    void theDashboardHasTheSdksDashboardType() throws Exception {
        String[] verdict = typeCheck(Dashboard.render());
        assertEquals("0", verdict[0], verdict[1]);
    }

    @Test
    void soHasTheDashboardForAnotherPrefix() throws Exception {
        String[] verdict = typeCheck(Dashboard.render("coffea_"));
        assertEquals("0", verdict[0], verdict[1]);
    }

    /** One row per kind of mistake the check must catch, with the message TypeScript gives. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"type\" : \"query\"|\"type\" : \"querry\"|not assignable",
        "\"schemaVersion\" : 41|\"schemaVersion\" : \"41\"|not assignable to type 'number'",
        "\"refId\" : \"A\"|\"refId\" : \"A\", \"definition\" : 1|'\"definition\"' does not exist",
        "\"displayMode\" : \"list\"|\"displayMode\" : \"lists\"|not assignable",
        "\"pluginId\" : \"prometheus\",|\"plugin\" : \"prometheus\",|'\"plugin\"' does not exist",
        "\"useValueForTime\" : true|\"useValueForTime\" : \"yes\"|not assignable",
        "\"refresh\" : 2|\"refresh\" : 7|not assignable",
    })
    void aMistakeGrafanaWouldNotReadFailsTheCheck(String good, String bad, String message) throws Exception {
        String dashboard = Dashboard.render();
        assertTrue(dashboard.contains(good), good);
        String[] verdict = typeCheck(dashboard.replaceFirst(java.util.regex.Pattern.quote(good),
                java.util.regex.Matcher.quoteReplacement(bad)));
        assertNotEquals("0", verdict[0], "accepted: " + bad);
        assertTrue(verdict[1].contains(message), verdict[1]);
    }
}
