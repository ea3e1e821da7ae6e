package org.afmetrics.cli;

import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Map;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.identity.Identity;
import org.afmetrics.identity.IdentityDetector;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.NotebookJson;
import org.afmetrics.notebook.NotebookJsonException;

/**
 * {@code check FILE}: what the agent would export for a notebook JSON file, with this
 * environment's identity, or why it cannot. Exit 1 when the file or any sample is rejected.
 */
final class CheckCommand {
    private CheckCommand() {
    }

    static int run(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -jar af-metrics-agent.jar check FILE");
            return 2;
        }
        AgentConfig config = AgentConfig.fromEnvironment(null);
        Path file = Paths.get(args[0]);
        byte[] bytes;
        try {
            if (Files.size(file) > config.jsonMaxBytes()) {
                System.err.println(file + ": " + Files.size(file) + " bytes, over json-max-bytes=" + config.jsonMaxBytes());
                return 1;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            System.err.println(file + ": cannot read: " + e);
            return 1;
        }
        Identity identity = IdentityDetector.forThisJvm().detect(config);
        Conversion c;
        try {
            c = NotebookJson.convert(bytes, bytes.length, config.get(ConfigKey.PREFIX), identity.reservedLabelNames(),
                    config.jsonMaxSeries(), file.toString());
        } catch (NotebookJsonException e) {
            System.err.println(file + ": " + e.reason() + ": " + e.getMessage());
            return 1;
        }
        try {
            Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
            TextFormat.write004(out, Collections.enumeration(labelled(c, identity)));
            out.flush();
        } catch (IOException e) {
            System.err.println("cannot write: " + e);
            return 1;
        }
        System.err.println(file + ": " + c.series() + " series, " + c.skippedFields() + " non-numeric fields skipped");
        for (String m : c.messages()) {
            System.err.println(file + ": rejected " + m);
        }
        int rejected = 0;
        for (Map.Entry<String, Integer> e : c.sampleErrors().entrySet()) {
            rejected += e.getValue();
        }
        return rejected == 0 ? 0 : 1;
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
