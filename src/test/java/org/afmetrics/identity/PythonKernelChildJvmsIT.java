package org.afmetrics.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.facility.TargetFile;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.KernelDriver;
import org.afmetrics.testing.PrometheusServer;
import org.afmetrics.testing.Pushgateway;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Python kernel (Debian's ipykernel on {@code /usr/bin/python3}), started by jupyter_client
 * from a copy of the Python kernelspec into whose {@code env.JAVA_TOOL_OPTIONS} the agent's
 * {@code kernelspec install --child-jvms} put the agent. The
 * kernel is no JVM; the JVMs a cell starts with {@code subprocess} inherit the variable, and each
 * takes the kernel's user and session (the kernel id of its {@code kernel-<id>.json}) with
 * {@code jvm="child"}: the long one is found and scraped by Debian's Prometheus through its target
 * file, the short ones leave a group each on Debian's Pushgateway.
 */
class PythonKernelChildJvmsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String KERNEL = "afm-python";
    private static final String USER = "dora";
    /** The notebook's path, which Jupyter Server gives a kernel it starts in JPY_SESSION_NAME. */
    private static final String NOTEBOOK = "analysis/children.ipynb";
    /** Debian's kernelspec of python3-ipykernel, the one copied. */
    private static final Path PYTHON_KERNELSPEC = Paths.get("/usr/share/jupyter/kernels/python3");

    /** One JVM the cell starts: a name for its log, how long it sleeps, its JDK; a long one is left running. */
    private static final class Child {
        final String name;
        final long sleepMs;
        final Path javaHome;

        Child(String name, long sleepMs, Path javaHome) {
            this.name = name;
            this.sleepMs = sleepMs;
            this.javaHome = javaHome;
        }

        boolean longLived() {
            return sleepMs >= 60_000;
        }
    }

    @TempDir
    Path tmp;

    @Test
    void theJvmsAPythonCellStartsReportUnderTheKernelsUserAndSession() throws Exception {
        List<Child> children = List.of(
                new Child("long", 600_000, Jdks.current()),
                new Child("short-jdk17", 200, Jdks.current()),
                new Child("short-jdk25", 200, Jdks.temurin25Required()));

        Path targets = Files.createDirectories(tmp.resolve("targets"));
        Path logs = Files.createDirectories(tmp.resolve("children"));
        try (Pushgateway gateway = Pushgateway.start();
                PrometheusServer prometheus = prometheus(targets)) {
            JupyterEnv env = JupyterEnv.create();
            installKernelspec(env, "port=0,targets-dir=" + targets + ",pushgateway=" + gateway.url());

            try (KernelDriver kernel = KernelDriver.start(env, KERNEL, Duration.ofSeconds(120))) {
                String session = kernel.kernelId();
                assertTrue(kernel.connectionFile().endsWith("kernel-" + session + ".json"), kernel.connectionFile());
                Map<String, Long> pids = new LinkedHashMap<>();
                try {
                    JsonNode reply = kernel.execute(startCell(children, logs), Duration.ofSeconds(180));
                    assertEquals("ok", reply.path("status").asText(), () -> reply + "\n" + logsOf(logs, kernel));
                    JsonNode started = JSON.readTree(logs.resolve("children.json").toFile());
                    for (Child c : children) {
                        pids.put(c.name, started.path(c.name).path("pid").asLong());
                        if (!c.longLived()) {
                            assertEquals(0, started.path(c.name).path("exit").asInt(-1),
                                    () -> c.name + " failed: " + started + "\n" + logsOf(logs, kernel));
                        }
                    }
                    long longPid = pids.get("long");

                    // the long child: its target file, its exposition, and Prometheus over the targets directory
                    TargetFile file = awaitOnlyTarget(targets, longPid, logs);
                    // the file names who runs the target; the notebook comes with the series
                    assertEquals(Map.of("user", USER, "session", session, "jvm", "child"),
                            pick(file.info(), "user", "session", "jvm"), "the target file's labels: " + file.info());
                    Exposition scraped = Http.scrape("http://" + file.target() + "/metrics");
                    assertEveryoneIs(scraped, session, scraped.samples());
                    assertNotNull(scraped.find("afmetrics_agent_info", "user", USER, "session", session, "jvm", "child",
                            "notebook", NOTEBOOK), scraped.text());
                    JsonNode groups = prometheus.awaitQuery("count by (user, session, jvm, notebook) ("
                            + "{job=\"af-metrics\",instance=\"" + file.target() + "\",__name__!~\"up|scrape_.+\"})",
                            r -> r.size() > 0, WAIT);
                    assertEquals(1, groups.size(), "one identity on all of its series: " + groups + "\n" + scraped.text());
                    assertEquals(Map.of("user", USER, "session", session, "jvm", "child", "notebook", NOTEBOOK),
                            labels(groups.get(0)), "Prometheus: " + groups + "\n" + scraped.text());
                    assertTrue(PrometheusServer.value(groups.get(0)) >= 10, groups + "\n" + scraped.text());

                    // the short children: a group each on the gateway, told apart by pid
                    List<Long> shortPids = children.stream().filter(c -> !c.longLived()).map(c -> pids.get(c.name))
                            .collect(Collectors.toList());
                    assertPushedGroups(gateway, session, shortPids);

                    // a cell stops the long child (SIGTERM): it pushes too, and its target file goes
                    JsonNode stop = kernel.execute(stopCell(), WAIT);
                    assertEquals("ok", stop.path("status").asText(), () -> stop + "\n" + logsOf(logs, kernel));
                    awaitEmpty(targets);
                    List<Long> all = new ArrayList<>(shortPids);
                    all.add(longPid);
                    assertPushedGroups(gateway, session, all);
                } finally {
                    stopWhatTheCellLeft(kernel, pids.values());
                }
            }
        }
    }

    /**
     * A copy of Debian's Python kernelspec, with {@code JUPYTERHUB_USER} as JupyterHub's spawner sets
     * it and {@code JPY_SESSION_NAME} as Jupyter Server sets it for a notebook's kernel; then the
     * agent's {@code kernelspec install NAME --child-jvms}, as an operator runs it, puts the agent
     * into its {@code env.JAVA_TOOL_OPTIONS} and leaves the kernel's argv alone.
     */
    private static void installKernelspec(JupyterEnv env, String agentArgs) throws Exception {
        Path spec = env.dir().resolve("kernels").resolve(KERNEL);
        Files.createDirectories(spec);
        try (Stream<Path> files = Files.list(PYTHON_KERNELSPEC)) {
            for (Path f : files.collect(Collectors.toList())) {
                Files.copy(f, spec.resolve(f.getFileName()));
            }
        }
        Path kernelJson = spec.resolve("kernel.json");
        ObjectNode json = (ObjectNode) JSON.readTree(kernelJson.toFile());
        JsonNode argv = json.path("argv").deepCopy();
        assertEquals("/usr/bin/python3", argv.path(0).asText(), "Debian's kernelspec: " + json);
        ObjectNode vars = json.putObject("env");
        vars.put("JUPYTERHUB_USER", USER);
        vars.put("JPY_SESSION_NAME", NOTEBOOK);
        json.put("display_name", "Python 3 with af-metrics for child JVMs");
        JSON.writerWithDefaultPrettyPrinter().writeValue(kernelJson.toFile(), json);

        Map<String, String> cli = new LinkedHashMap<>(env.variables());
        // the kernelspec command asks the jupyter on PATH for its data paths: Debian's, as for the kernel
        cli.put("PATH", "/usr/bin:" + System.getenv("PATH"));
        String out = AgentCli.jar("kernelspec", "install", KERNEL, "--child-jvms", "--agent-args", agentArgs,
                "--jar", AgentJar.path().toString()).env(cli).ok();
        assertTrue(out.contains(KERNEL + ": agent installed"), out);
        JsonNode installed = JSON.readTree(kernelJson.toFile());
        assertEquals(argv, installed.path("argv"), "the kernel's argv stays: " + installed);
        assertEquals(AgentJar.option(agentArgs), installed.path("env").path("JAVA_TOOL_OPTIONS").asText(),
                installed.toString());
        assertEquals(USER, installed.path("env").path("JUPYTERHUB_USER").asText(), installed.toString());
        String list = AgentCli.jar("kernelspec", "list").env(cli).ok();
        assertTrue(list.lines().anyMatch(l -> l.startsWith(KERNEL + " ") && l.contains(" child-jvms ")), list);
    }

    /** Prometheus running the config the agent prints for the targets directory, scraping every second. */
    private PrometheusServer prometheus(Path targets) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("prometheus"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, AgentCli.ok(Map.of(), "prometheus-config", "--targets-dir", targets.toString(),
                "--scrape-interval", "1s",
                "--rules-file", Paths.get("agent/prometheus/rules.yml").toAbsolutePath().toString()));
        return PrometheusServer.startWithConfig(config, dir);
    }

    /**
     * The cell: starts every child with {@code subprocess} (the kernel's environment, so its
     * JAVA_TOOL_OPTIONS), waits for the short ones, keeps the long ones running, and writes
     * {@code children.json}: per child its pid and, for a short one, its exit status.
     */
    private static String startCell(List<Child> children, Path logs) throws IOException {
        ArrayNode table = JSON.createArrayNode();
        String classes = Paths.get("target", "test-classes").toAbsolutePath().toString();
        for (Child c : children) {
            ObjectNode row = table.addObject();
            row.put("name", c.name);
            row.putPOJO("argv", List.of(Jdks.java(c.javaHome), "-cp", classes, SleepMain.class.getName(),
                    Long.toString(c.sleepMs)));
            row.put("wait", !c.longLived());
        }
        return "import json, subprocess\n"
                + "_afm_logs = " + JSON.writeValueAsString(logs.toString()) + "\n"
                + "_afm_running = []\n"
                + "_afm_started = {}\n"
                + "for _c in json.loads(" + JSON.writeValueAsString(JSON.writeValueAsString(table)) + "):\n"
                + "    with open(_afm_logs + '/' + _c['name'] + '.log', 'wb') as _out:\n"
                + "        _p = subprocess.Popen(_c['argv'], stdin=subprocess.DEVNULL, stdout=_out,"
                + " stderr=subprocess.STDOUT)\n"
                + "    _afm_started[_c['name']] = {'pid': _p.pid}\n"
                + "    if _c['wait']:\n"
                + "        _afm_started[_c['name']]['exit'] = _p.wait(timeout=120)\n"
                + "    else:\n"
                + "        _afm_running.append(_p)\n"
                + "with open(_afm_logs + '/children.json', 'w') as _f:\n"
                + "    json.dump(_afm_started, _f)\n";
    }

    /** The cell that stops the long children as a notebook would (SIGTERM) and waits for them. */
    private static String stopCell() {
        return "for _p in _afm_running:\n"
                + "    _p.terminate()\n"
                + "    _p.wait(timeout=60)\n";
    }

    /** Every sample of an exposition carries the kernel's user and session, and jvm="child". */
    private static void assertEveryoneIs(Exposition e, String session, List<Exposition.Sample> samples) {
        assertTrue(samples.size() >= 10, e.text());
        for (Exposition.Sample s : samples) {
            assertEquals(Map.of("user", USER, "session", session, "jvm", "child", "notebook", NOTEBOOK),
                    pick(s.labels, "user", "session", "jvm", "notebook"), () -> s.line + "\nin:\n" + e.text());
        }
    }

    /** The gateway holds one group per pid, each with the kernel's identity on every series. */
    private static void assertPushedGroups(Pushgateway gateway, String session, List<Long> pids) throws Exception {
        Exposition pushed = gateway.scrape();
        Map<String, List<Exposition.Sample>> byPid = new TreeMap<>();
        for (Exposition.Sample s : pushed.samples()) {
            if ("af-metrics-push".equals(s.labels.get("job"))) {
                byPid.computeIfAbsent(s.labels.get("pid"), p -> new ArrayList<>()).add(s);
            }
        }
        assertEquals(pids.stream().map(Object::toString).collect(Collectors.toCollection(TreeSet::new)), byPid.keySet(),
                "one group per JVM, by pid:\n" + pushed.text());
        for (Map.Entry<String, List<Exposition.Sample>> group : byPid.entrySet()) {
            for (Exposition.Sample s : group.getValue()) {
                // push_time_seconds and push_failure_time_seconds are the gateway's: the grouping key only
                boolean gateways = s.name.startsWith("push_");
                assertEquals(gateways ? Map.of("user", USER, "session", session)
                                : Map.of("user", USER, "session", session, "jvm", "child", "notebook", NOTEBOOK),
                        pick(s.labels, "user", "session", "jvm", "notebook"), () -> s.line + "\nin:\n" + pushed.text());
            }
            assertNotNull(pushed.find("afmetrics_agent_info", "pid", group.getKey()), pushed.text());
        }
    }

    private static TargetFile awaitOnlyTarget(Path dir, long pid, Path logs) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Path> files = targetFiles(dir);
        while (!(files.size() == 1 && TargetFile.read(files.get(0)).pid() == pid) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            files = targetFiles(dir);
        }
        List<Path> found = files;
        assertEquals(1, found.size(), () -> "only the long child's target file, pid " + pid + ": " + found + "\n"
                + logsOf(logs, null));
        TargetFile file = TargetFile.read(found.get(0));
        assertEquals(pid, file.pid(), () -> file.info() + "\n" + logsOf(logs, null));
        return file;
    }

    private static void awaitEmpty(Path dir) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!targetFiles(dir).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), targetFiles(dir), "the stopped child removed its target file");
    }

    private static List<Path> targetFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            // a hidden file is one being written, not yet renamed into place
            return s.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().collect(Collectors.toList());
        }
    }

    private static Map<String, String> pick(Map<String, String> labels, String... names) {
        Map<String, String> out = new TreeMap<>();
        for (String n : names) {
            if (labels.containsKey(n)) {
                out.put(n, labels.get(n));
            }
        }
        return out;
    }

    private static Map<String, String> labels(JsonNode element) {
        Map<String, String> out = new TreeMap<>();
        element.path("metric").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** What the children printed (the agent's lines among them), and the kernel's log. */
    private static String logsOf(Path logs, KernelDriver kernel) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.list(logs)) {
            for (Path f : s.sorted().collect(Collectors.toList())) {
                b.append("--- ").append(f.getFileName()).append(":\n").append(Files.readString(f)).append('\n');
            }
            if (kernel != null) {
                b.append("--- kernel log:\n").append(kernel.log());
            }
        } catch (IOException e) {
            b.append("(logs unreadable: ").append(e).append(')');
        }
        return b.toString();
    }

    /** Kills the children still running, even those of a cell that failed before it wrote children.json. */
    static void stopWhatTheCellLeft(KernelDriver kernel, java.util.Collection<Long> pids) {
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        try {
            ProcessHandle.of(kernel.kernelPid()).ifPresent(k -> k.descendants().forEach(ProcessHandle::destroyForcibly));
        } catch (AssertionError kernelGone) {
            // no kernel process left, so nothing of its cells either
        }
    }
}
