package org.afmetrics.cli;

import java.util.concurrent.Callable;
import org.afmetrics.facility.PrometheusAssets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code prometheus-config} and {@code prometheus-rules}: print the facility's Prometheus files.
 * The copies in the repository's {@code agent/prometheus/} are this output with the defaults.
 */
final class PrometheusCommand {
    private PrometheusCommand() {
    }

    @Command(name = "prometheus-config", header = "Print a prometheus.yml (or, --job-only, its af-metrics scrape jobs).", mixinStandardHelpOptions = true,
            description = {"Print a prometheus.yml: a file_sd job over the targets directory, the Pushgateway,",
                    "and commented examples for JupyterHub and Dask. With --job-only, just the scrape job(s)",
                    "to paste under scrape_configs: of an existing prometheus.yml."})
    static final class Config implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--targets-dir", paramLabel = "DIR", defaultValue = PrometheusAssets.DEFAULT_TARGETS_DIR,
                description = "the agents' targets-dir (default: ${DEFAULT-VALUE})")
        String targetsDir;

        @Option(names = "--scrape-interval", paramLabel = "DURATION", defaultValue = "15s",
                description = "scrape and rule evaluation interval (default: ${DEFAULT-VALUE})")
        String scrapeInterval;

        @Option(names = "--pushgateway", paramLabel = "HOST:PORT",
                description = "a Pushgateway to scrape (default: a commented job)")
        String pushgateway;

        @Option(names = "--rules-file", paramLabel = "FILE", defaultValue = "rules.yml",
                description = "the rule file to load (default: ${DEFAULT-VALUE})")
        String rulesFile;

        @Option(names = "--job-only", description = "print only the scrape job(s), for an existing prometheus.yml")
        boolean jobOnly;

        @Override
        public Integer call() {
            PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
            try {
                PrometheusAssets.checkInterval(scrapeInterval);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--scrape-interval: " + e.getMessage());
            }
            try {
                PrometheusAssets.checkTargetsDir(targetsDir);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--targets-dir: " + e.getMessage());
            }
            o.targetsDir = targetsDir;
            o.scrapeInterval = scrapeInterval;
            o.pushgateway = pushgateway == null ? null : pushgateway.replaceFirst("^https?://", "");
            o.rulesFile = rulesFile;
            System.out.print(jobOnly ? PrometheusAssets.scrapeConfigsOnly(o) : PrometheusAssets.prometheusConfig(o));
            return Main.OK;
        }
    }

    @Command(name = "prometheus-rules", header = "Print rules.yml: recording rules and alerts.", mixinStandardHelpOptions = true,
            description = "Print rules.yml: per-user and facility recording rules, and alerts.")
    static final class Rules implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.print(PrometheusAssets.rules());
            return Main.OK;
        }
    }
}
