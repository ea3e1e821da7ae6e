package org.afmetrics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.Promtool;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** The agent jar as a command-line tool: {@code java -jar af-metrics-agent.jar …}. */
class CliIT {
    @TempDir
    Path dir;

    /** Runs in the test's directory as user alice. */
    private AgentCli.Result cli(String... args) throws IOException, InterruptedException {
        return AgentCli.jar(args).workDir(dir).env("JUPYTERHUB_USER", "alice").run();
    }

    @Test
    void helpAndVersion() throws Exception {
        AgentCli.Result help = cli("--help");
        assertEquals(0, help.exitCode);
        assertHelpIsTidy(help.stdout);
        for (ConfigKey k : ConfigKey.values()) {
            assertTrue(help.stdout.contains(k.envName()), k.key());
        }
        AgentCli.Result version = cli("--version");
        assertEquals(0, version.exitCode);
        assertTrue(version.stdout.trim().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version.stdout);
        assertEquals(2, cli("frobnicate").exitCode);
    }

    /** Every help line fits the usage width, and no line is said twice (a summary repeated as description). */
    static void assertHelpIsTidy(String help) {
        List<String> lines = help.lines().collect(Collectors.toList());
        for (String line : lines) {
            assertTrue(line.length() <= Main.WIDTH, "wider than " + Main.WIDTH + ": '" + line + "'");
        }
        List<String> said = lines.stream().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(said.size(), said.stream().distinct().count(), "a line said twice: " + help);
    }

    /** The tool alone and a command group alone ask for nothing wrong: they print their help, exit status 0. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "kernelspec", "targets"})
    void aGroupAloneShowsItsHelpAndExits0(String group) throws Exception {
        AgentCli.Result r = cli(group.isEmpty() ? new String[0] : new String[] {group});
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.startsWith(group.isEmpty() ? "Usage: af-metrics-agent [-hV] [COMMAND]"
                : cli(group, "--help").stdout), r.stdout);
        assertTrue(r.stdout.contains("Commands:"), r.stdout);
        assertEquals("", r.stderr);
    }

    @Test
    void statusExits1WhenItCannotReadTheTargetsDirectory() throws Exception {
        AgentCli.Result r = cli("status", "--targets-dir", dir.resolve("nonexistent").toString());
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("status: cannot read the targets directory " + dir.resolve("nonexistent")
                + ": no such directory"), r.stderr);
        Files.createDirectories(dir.resolve("targets"));
        AgentCli.Result empty = cli("status", "--targets-dir", dir.resolve("targets").toString(), "--json");
        assertEquals(0, empty.exitCode, "an empty directory is read: " + empty);
    }

    /** Every command path of the tool, from the same model the jar runs: "check", "kernelspec install" … */
    static Stream<String> commands() {
        List<String> all = Main.commandPaths();
        assertTrue(all.containsAll(List.of("check", "attach", "status", "hash-password", "demo", "kernelspec list",
                "kernelspec install", "kernelspec remove", "targets list", "targets gc", "prometheus-config",
                "prometheus-rules", "dashboard", "completion")), all.toString());
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandsHelpGoesToStdoutAndStartsNothing(String command) throws Exception {
        AgentCli.Result r = AgentCli.jar(command.split(" ")).args("--help").workDir(dir)
                .timeout(java.time.Duration.ofSeconds(30)).run();
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.contains("Usage: af-metrics-agent " + (command.equals("help") ? "" : command)), r.stdout);
        assertEquals("", r.stderr);
        if (!command.equals("help")) {
            assertTrue(r.stdout.contains("Exit status:\n   0 ") && r.stdout.contains("\n   2 "),
                    "the exit codes are in every command's help: " + r.stdout);
        }
        assertFalse(r.stdout.contains("Scrape http"), "help starts no exporter: " + r.stdout);
        assertHelpIsTidy(r.stdout);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "help writes nothing");
        }
    }

    @ParameterizedTest
    @MethodSource("commands")
    void anUnknownOptionExitsWith2AndIsNamed(String command) throws Exception {
        // the command's required arguments given, so that the option is what is wrong
        String required = Map.of("check", "m.json", "attach", "1", "targets list", ".", "targets gc", ".",
                "kernelspec install", "java", "kernelspec remove", "java").getOrDefault(command, "");
        AgentCli.Result r = AgentCli.jar(command.split(" ")).args("--no-such-option=1").args(
                required.isEmpty() ? new String[0] : new String[] {required}).workDir(dir)
                .timeout(java.time.Duration.ofSeconds(30)).run();
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("'--no-such-option=1'"), r.stderr);
        assertEquals("", r.stdout);
    }

    @Test
    void optionValuesComeAfterASpaceOrAnEqualsSign() throws Exception {
        String spaced = cli("prometheus-config", "--targets-dir", "/srv/it's here", "--scrape-interval", "30s").stdout;
        String joined = cli("prometheus-config", "--targets-dir=/srv/it's here", "--scrape-interval=30s").stdout;
        assertEquals(spaced, joined);
        assertTrue(joined.contains("/srv/it's here/*.json") && joined.contains("scrape_interval: 30s"), joined);
        AgentCli.Result missing = cli("prometheus-config", "--targets-dir");
        assertEquals(2, missing.exitCode);
        assertTrue(missing.stderr.contains("--targets-dir"), missing.stderr);
        AgentCli.Result badValue = cli("prometheus-config", "--scrape-interval=soon");
        assertEquals(2, badValue.exitCode);
        assertTrue(badValue.stderr.contains("--scrape-interval: 'soon' is not a duration"), badValue.stderr);
        Files.writeString(dir.resolve("@m.json"), "{\"entries\": 3}");
        AgentCli.Result atFile = cli("check", "@m.json");
        assertEquals(0, atFile.exitCode, "a file named @m.json is that file: " + atFile);
        Files.delete(dir.resolve("@m.json"));
        AgentCli.Result badArgument = cli("attach", "--", "abc");
        assertEquals(2, badArgument.exitCode);
        assertTrue(badArgument.stderr.contains("(PID): 'abc'"), badArgument.stderr);
    }

    @Test
    void theCompletionScriptIsValidBashAndKnowsTheCommands() throws Exception {
        AgentCli.Result r = cli("completion");
        assertEquals(0, r.exitCode, r.toString());
        for (String command : commands().filter(c -> !c.contains(" ")).toArray(String[]::new)) {
            assertTrue(r.stdout.contains(command), command);
        }
        Path script = Files.writeString(dir.resolve("completion.bash"), r.stdout);
        Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.waitFor(), out);
    }

    /** The command line's libraries are for java -jar only: an active agent never loads them. */
    @Test
    void premainLoadsNoCommandLineClass() throws Exception {
        Path log = dir.resolve("classes.log");
        try (ChildJvm.Running host = ChildJvm.main(SleepMain.class, "60000").agent("port=0")
                .jvmOption("-Xlog:class+load=info:file=" + log).start()) {
            host.awaitExporterUrl(java.time.Duration.ofSeconds(30));
            List<String> loaded = Files.readAllLines(log);
            assertTrue(loaded.stream().anyMatch(l -> l.contains("org.afmetrics.Agent ")), "the agent ran");
            List<String> cli = loaded.stream().filter(l -> l.contains("picocli") || l.contains("snakeyaml")
                    || l.contains("difflib") || l.contains("org.afmetrics.cli.")).collect(Collectors.toList());
            assertEquals(List.of(), cli);
        }
    }

    @Test
    void checkPrintsAValidExpositionOrTheErrors() throws Exception {
        Path good = dir.resolve("m.json");
        Files.writeString(good, "{\"entries\": 53446198, \"columns\": [\"nJet\"], \"cutflow\": "
                + "[{\"metric\": {\"cut\": \"all\"}, \"value\": 10}]}");
        AgentCli.Result ok = cli("check", good.toString());
        assertEquals(0, ok.exitCode, ok.stderr);
        Exposition e = Exposition.parse(ok.stdout);
        assertEquals(5.3446198E7, e.find("notebook_entries").value);
        assertEquals("alice", e.find("notebook_entries").labels.get("user"));
        assertEquals(10, e.find("notebook_cutflow", "cut", "all").value);
        assertEquals(0, Promtool.checkMetrics(ok.stdout).exitCode);
        assertTrue(ok.stderr.contains("2 series, 1 non-numeric field skipped"), ok.stderr);

        Path clash = dir.resolve("clash.json");
        Files.writeString(clash, "{\"m\": [{\"metric\": {\"user\": \"bob\"}, \"value\": 1}], \"n\": 2}");
        AgentCli.Result rejected = cli("check", clash.toString());
        assertEquals(1, rejected.exitCode);
        assertTrue(rejected.stderr.contains("label 'user' is set by the agent"), rejected.stderr);

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"entries\": ");
        AgentCli.Result broken = cli("check", bad.toString());
        assertEquals(1, broken.exitCode);
        assertTrue(broken.stderr.contains("truncated"), broken.stderr);
        assertEquals(1, cli("check", dir.resolve("absent.json").toString()).exitCode);
    }

    @Test
    void demoServesTheSimulatedNotebook() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Jdks.java(Jdks.current()), "-jar", AgentJar.path().toString(), "demo",
                "port=0").directory(dir.toFile()).redirectErrorStream(true);
        Process demo = pb.start();
        String json = null;
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            for (String line; url == null && (line = r.readLine()) != null; ) {
                Matcher m = Pattern.compile("Scrape (http://\\S+/metrics) ; the simulated notebook writes (.+)$").matcher(line);
                if (m.find()) {
                    url = m.group(1);
                    json = m.group(2);
                }
            }
            assertTrue(url != null, "demo printed its URL");
            double first = awaitEntries(url, 0);
            double later = awaitEntries(url, first);
            assertTrue(later > first, "the simulated loop advances: " + first + " -> " + later);
            Exposition e = Http.scrape(url);
            assertTrue(e.find("notebook_cutflow", "cut", "all").value > 0);
            assertEquals(0, Promtool.checkMetrics(e.text()).exitCode);
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(), left.collect(Collectors.toList()), "the demo writes nothing where it runs");
            }
            assertTrue(json != null && Files.isRegularFile(Path.of(json)), "the JSON lives in a temporary directory: " + json);
        } finally {
            demo.destroy();
            demo.waitFor(10, TimeUnit.SECONDS);
        }
        assertFalse(Files.exists(Path.of(json)), "the demo removes its JSON at exit");
        assertFalse(Files.exists(Path.of(json).getParent()), "and its temporary directory");
    }

    private static double awaitEntries(String url, double above) throws Exception {
        for (int i = 0; i < 100; i++) {
            Exposition.Sample s = Http.scrape(url).find("notebook_entries");
            if (s != null && s.value > above) {
                return s.value;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("notebook_entries never rose above " + above);
    }
}
