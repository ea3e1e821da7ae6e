package org.afmetrics.cli;

import java.util.concurrent.Callable;
import org.afmetrics.facility.PrometheusAssets;
import org.afmetrics.facility.RemoteWriteConfigs;
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
            description = {"Print a prometheus.yml. --mode single (the default): one server with a file_sd job over",
                    "the targets directory, the Pushgateway, and commented examples for JupyterHub and Dask; with",
                    "--job-only, just the scrape job(s) to paste under scrape_configs: of an existing prometheus.yml.",
                    "--mode node: a node agent (Prometheus with --enable-feature=agent) scraping the node's kernels",
                    "through the targets directory and forwarding by remote_write, every series labelled node=NAME.",
                    "--mode central: the server the node agents write to (run it with",
                    "--web.enable-remote-write-receiver): the rules, no kernel job of its own."})
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

        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "single",
                description = "single, node or central (default: ${DEFAULT-VALUE})")
        String mode;

        @Option(names = "--remote-write", paramLabel = "URL",
                description = "node: where to send, e.g. http://centre:9090/api/v1/write")
        String remoteWrite;

        @Option(names = "--node", paramLabel = "NAME", description = "node: the node label (default: the host name)")
        String node;

        @Option(names = "--remote-write-user", paramLabel = "NAME", description = "node: basic-auth user for remote_write")
        String remoteWriteUser;

        @Option(names = "--remote-write-password-file", paramLabel = "FILE",
                description = "node: file holding the basic-auth password (read by Prometheus, not here)")
        String remoteWritePasswordFile;

        @Option(names = "--remote-write-ca-file", paramLabel = "FILE", description = "node: CA certificate of the receiver")
        String remoteWriteCaFile;

        @Option(names = "--remote-write-cert-file", paramLabel = "FILE", description = "node: client certificate")
        String remoteWriteCertFile;

        @Option(names = "--remote-write-key-file", paramLabel = "FILE", description = "node: the client certificate's key")
        String remoteWriteKeyFile;

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
            switch (mode) {
                case "single":
                    if (jobOnly) {
                        onlyTheseOptions("--mode single --job-only", "--targets-dir", "--pushgateway", "--job-only");
                    } else {
                        onlyTheseOptions("--mode single", "--targets-dir", "--scrape-interval", "--pushgateway",
                                "--rules-file");
                    }
                    System.out.print(jobOnly ? PrometheusAssets.scrapeConfigsOnly(o) : PrometheusAssets.prometheusConfig(o));
                    return Main.OK;
                case "central":
                    onlyTheseOptions("--mode central", "--scrape-interval", "--pushgateway", "--rules-file");
                    System.out.print(RemoteWriteConfigs.central(o));
                    return Main.OK;
                case "node":
                    onlyTheseOptions("--mode node", "--targets-dir", "--scrape-interval", "--remote-write", "--node",
                            "--remote-write-user", "--remote-write-password-file", "--remote-write-ca-file",
                            "--remote-write-cert-file", "--remote-write-key-file");
                    RemoteWriteConfigs.NodeOptions n = new RemoteWriteConfigs.NodeOptions();
                    n.targetsDir = targetsDir;
                    n.scrapeInterval = scrapeInterval;
                    n.node = node;
                    n.remoteWriteUrl = remoteWrite;
                    n.username = remoteWriteUser;
                    n.passwordFile = remoteWritePasswordFile;
                    n.caFile = remoteWriteCaFile;
                    n.certFile = remoteWriteCertFile;
                    n.keyFile = remoteWriteKeyFile;
                    try {
                        System.out.print(RemoteWriteConfigs.nodeAgent(n));
                    } catch (IllegalArgumentException e) {
                        throw new ParameterException(spec.commandLine(), e.getMessage());
                    }
                    return Main.OK;
                default:
                    throw new ParameterException(spec.commandLine(), "--mode is single, node or central, not '" + mode + "'");
            }
        }

        /**
         * Refuses an option given on the command line that this mode would not use: an option
         * silently ignored is a configuration the operator believes in and does not get.
         */
        private void onlyTheseOptions(String mode, String... used) {
            java.util.Set<String> allowed = new java.util.HashSet<>(java.util.Arrays.asList(used));
            allowed.add("--mode");
            for (picocli.CommandLine.Model.OptionSpec given : spec.commandLine().getParseResult().matchedOptions()) {
                if (!allowed.contains(given.longestName()) && !given.usageHelp() && !given.versionHelp()) {
                    throw new ParameterException(spec.commandLine(), given.longestName() + " has no use with " + mode
                            + ", which takes " + String.join(", ", used));
                }
            }
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
