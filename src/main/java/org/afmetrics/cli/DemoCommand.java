package org.afmetrics.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.afmetrics.AgentRuntime;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code demo}: the agent in this JVM while a simulated Coffea-like processor works through
 * chunks of events and rewrites its {@code savemetrics} JSON every second, as a notebook would.
 * The JSON goes into a temporary directory, removed at exit, unless the key json names a file.
 */
@Command(name = "demo", header = "Run the agent here with a simulated notebook rewriting its JSON metrics.", mixinStandardHelpOptions = true,
        description = {"Run the agent here while a simulated Coffea-like processing loop rewrites a JSON",
                "metrics file every second, as a notebook would; Ctrl-C stops it. The file lives in a",
                "temporary directory removed at exit, unless AGENT-ARGS or the environment name one."})
final class DemoCommand implements Callable<Integer> {
    private static final String[] DATASETS = {"SingleMu", "DoubleMu", "TTbar"};

    @Parameters(arity = "0..1", paramLabel = "AGENT-ARGS",
            description = "key=value,... as after -javaagent:af-metrics-agent.jar= (e.g. port=0)")
    String agentArgs;

    @Override
    public Integer call() throws IOException {
        AgentConfig config = AgentConfig.fromEnvironment(agentArgs);
        if (!config.jsonGiven()) {
            Path dir = Files.createTempDirectory("af-metrics-demo");
            Path file = dir.resolve(ConfigKey.JSON.defaultValue());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> removeQuietly(file, dir), "af-metrics-demo-cleanup"));
            config = AgentConfig.fromEnvironment((agentArgs == null ? "" : agentArgs + ",") + "json=" + file);
        }
        config.warnings().forEach(w -> System.err.println("[af-metrics] warning: " + w));
        Path json = Paths.get(System.getProperty("user.dir")).resolve(config.jsonSources().get(0)).toAbsolutePath();
        org.afmetrics.exporter.ExporterServer server;
        try {
            server = AgentRuntime.start(config);
        } catch (IOException e) {
            System.err.println("demo: cannot start the exporter: " + e.getMessage());
            return Main.FAILED;
        }
        System.out.println("Scrape " + server.url() + " ; the simulated notebook writes " + json);
        System.out.println("Ctrl-C stops the demo.");
        Random random = new Random(42);
        long entries = 0;
        long bytes = 0;
        double processTime = 0;
        long chunks = 0;
        long[] passed = new long[3];
        while (true) {
            long chunk = 50_000 + random.nextInt(50_000);
            entries += chunk;
            bytes += chunk * (40 + random.nextInt(20));
            processTime += chunk / 250_000.0 * (0.8 + random.nextDouble() * 0.4);
            chunks++;
            passed[0] += chunk * 6 / 10;
            passed[1] += chunk * 3 / 10;
            passed[2] += chunk / 20;
            try {
                writeAtomically(json, savemetrics(entries, bytes, processTime, chunks, passed,
                        DATASETS[(int) (chunks % DATASETS.length)]));
                Thread.sleep(1000);
            } catch (IOException e) {
                System.err.println("demo: cannot write " + json + ": " + e.getMessage());
                return Main.FAILED;
            } catch (InterruptedException e) {
                return Main.OK;
            }
        }
    }

    private static void removeQuietly(Path file, Path dir) {
        try {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory the system cleans up in its time
        }
    }

    static String savemetrics(long entries, long bytes, double processTime, long chunks, long[] passed,
                              String dataset) {
        return String.format(Locale.ROOT,
                "{\"bytesread\": %d, \"columns\": [\"Jet_eta\", \"nJet\", \"Jet_pt\"], \"entries\": %d,%n"
                        + " \"processtime\": %.4f, \"chunks\": %d,%n"
                        + " \"cutflow\": [{\"metric\": {\"cut\": \"all\"}, \"value\": %d},"
                        + " {\"metric\": {\"cut\": \"njet>=2\"}, \"value\": %d},"
                        + " {\"metric\": {\"cut\": \"pt>30\"}, \"value\": %d},"
                        + " {\"metric\": {\"cut\": \"btag\"}, \"value\": %d}],%n"
                        + " \"current\": {\"dataset_index\": %d}}%n",
                bytes, entries, processTime, chunks, entries, passed[0], passed[1], passed[2],
                java.util.Arrays.asList(DATASETS).indexOf(dataset));
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content.getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
