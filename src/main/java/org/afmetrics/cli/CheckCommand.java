package org.afmetrics.cli;

import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Callable;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.identity.Identity;
import org.afmetrics.identity.IdentityDetector;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.NotebookJson;
import org.afmetrics.notebook.NotebookJsonException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code check FILE}: what the agent would export for a notebook JSON file, with this
 * environment's identity, or why it cannot. Exit 1 when the file or any sample is rejected.
 */
@Command(name = "check", header = "Convert a notebook JSON metrics file and print the exposition, or its errors.", mixinStandardHelpOptions = true,
        description = {"Convert a notebook JSON metrics file as the agent would and print the exposition,",
                "or why the file or some of its samples are rejected (exit status 1).",
                "The AF_METRICS_* environment (prefix, limits, labels) applies."})
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the notebook's JSON metrics file")
    Path file;

    @Override
    public Integer call() {
        AgentConfig config = AgentConfig.fromEnvironment(null);
        byte[] bytes;
        try {
            if (Files.size(file) > config.jsonMaxBytes()) {
                System.err.println(file + ": " + Files.size(file) + " bytes, over json-max-bytes=" + config.jsonMaxBytes());
                return Main.FAILED;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            System.err.println(file + ": cannot read: " + e);
            return Main.FAILED;
        }
        Identity identity = IdentityDetector.forThisJvm().detect(config);
        Conversion c;
        try {
            c = NotebookJson.convert(bytes, bytes.length, config.prefix(), identity.reservedLabelNames(),
                    config.jsonMaxSeries(), file.toString());
        } catch (NotebookJsonException e) {
            System.err.println(file + ": " + e.reason() + ": " + e.getMessage());
            return Main.FAILED;
        }
        try {
            Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
            TextFormat.write004(out, Collections.enumeration(labelled(c, identity)));
            out.flush();
        } catch (IOException e) {
            System.err.println("cannot write: " + e);
            return Main.FAILED;
        }
        System.err.println(file + ": " + c.series() + " series, "
                + Plural.of(c.skippedFields(), "non-numeric field", "non-numeric fields") + " skipped");
        for (String m : c.messages()) {
            System.err.println(file + ": rejected " + m);
        }
        int rejected = 0;
        for (Map.Entry<String, Integer> e : c.sampleErrors().entrySet()) {
            rejected += e.getValue();
        }
        return rejected == 0 ? Main.OK : Main.FAILED;
    }

    private static java.util.List<Collector.MetricFamilySamples> labelled(Conversion c, Identity identity) {
        LabelledRegistry registry = new LabelledRegistry(identity);
        registry.register(new Collector() {
            @Override
            public java.util.List<MetricFamilySamples> collect() {
                return c.families();
            }
        });
        return Collections.list(registry.metricFamilySamples());
    }
}
