package org.afmetrics.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Random;
import org.afmetrics.AgentRuntime;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;

/**
 * {@code demo}: the agent in this JVM while a simulated Coffea-like processor works through
 * chunks of events and rewrites its {@code savemetrics} JSON every second, as a notebook would.
 */
final class DemoCommand {
    private static final String[] DATASETS = {"SingleMu", "DoubleMu", "TTbar"};

    private DemoCommand() {
    }

    static int run(String[] args) {
        String agentArgs = args.length > 0 ? args[0] : null;
        AgentConfig config = AgentConfig.fromEnvironment(agentArgs);
        config.warnings().forEach(w -> System.err.println("[af-metrics] warning: " + w));
        Path json = Paths.get(System.getProperty("user.dir")).resolve(config.jsonSources().isEmpty()
                ? ConfigKey.JSON.defaultValue() : config.jsonSources().get(0)).toAbsolutePath();
        AgentRuntime runtime;
        try {
            runtime = AgentRuntime.start(config);
        } catch (IOException e) {
            System.err.println("demo: cannot start the exporter: " + e.getMessage());
            return 1;
        }
        System.out.println("Scrape " + runtime.server().url() + " ; the simulated notebook writes " + json);
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
                return 1;
            } catch (InterruptedException e) {
                return 0;
            }
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
