package org.afmetrics.cli;

import org.afmetrics.facility.PrometheusAssets;
import org.afmetrics.facility.RemoteWriteConfigs;

/**
 * {@code prometheus-config} and {@code prometheus-rules}: print the facility's Prometheus files.
 * The copies in the repository's {@code agent/prometheus/} are this output with the defaults.
 */
final class PrometheusCommand {
    static final String USAGE = "usage: java -jar af-metrics-agent.jar prometheus-config [--mode single] [--targets-dir DIR]"
            + " [--scrape-interval 15s] [--pushgateway HOST:PORT] [--rules-file rules.yml] [--job-only]\n"
            + "       java -jar af-metrics-agent.jar prometheus-config --mode node --remote-write URL [--targets-dir DIR]"
            + " [--node NAME] [--scrape-interval 15s]\n"
            + "             [--remote-write-user NAME --remote-write-password-file FILE] [--remote-write-ca-file FILE]"
            + " [--remote-write-cert-file FILE --remote-write-key-file FILE]\n"
            + "       java -jar af-metrics-agent.jar prometheus-config --mode central [--scrape-interval 15s]"
            + " [--pushgateway HOST:PORT] [--rules-file rules.yml]\n"
            + "       java -jar af-metrics-agent.jar prometheus-rules";

    private PrometheusCommand() {
    }

    static int config(String[] args) {
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
        RemoteWriteConfigs.NodeOptions n = new RemoteWriteConfigs.NodeOptions();
        String mode = "single";
        boolean jobOnly = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--job-only")) {
                jobOnly = true;
                continue;
            }
            if (i + 1 >= args.length) {
                System.err.println("prometheus-config: " + args[i] + " needs a value\n" + USAGE);
                return 2;
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--mode":
                    if (!v.equals("single") && !v.equals("node") && !v.equals("central")) {
                        System.err.println("prometheus-config: --mode is single, node or central, not '" + v + "'");
                        return 2;
                    }
                    mode = v;
                    break;
                case "--targets-dir":
                    o.targetsDir = v;
                    n.targetsDir = v;
                    break;
                case "--node":
                    n.node = v;
                    break;
                case "--remote-write":
                    n.remoteWriteUrl = v;
                    break;
                case "--remote-write-user":
                    n.username = v;
                    break;
                case "--remote-write-password-file":
                    n.passwordFile = v;
                    break;
                case "--remote-write-ca-file":
                    n.caFile = v;
                    break;
                case "--remote-write-cert-file":
                    n.certFile = v;
                    break;
                case "--remote-write-key-file":
                    n.keyFile = v;
                    break;
                case "--scrape-interval":
                    try {
                        PrometheusAssets.checkInterval(v);
                    } catch (IllegalArgumentException e) {
                        System.err.println("prometheus-config: --scrape-interval " + e.getMessage());
                        return 2;
                    }
                    o.scrapeInterval = v;
                    n.scrapeInterval = v;
                    break;
                case "--pushgateway":
                    o.pushgateway = v.replaceFirst("^https?://", "");
                    break;
                case "--rules-file":
                    o.rulesFile = v;
                    break;
                default:
                    System.err.println("prometheus-config: unknown option " + args[i - 1] + "\n" + USAGE);
                    return 2;
            }
        }
        if (jobOnly && !mode.equals("single")) {
            System.err.println("prometheus-config: --job-only is for adding the kernels' job to a server's own config"
                    + " (--mode single)\n" + USAGE);
            return 2;
        }
        switch (mode) {
            case "node":
                try {
                    System.out.print(RemoteWriteConfigs.nodeAgent(n));
                } catch (IllegalArgumentException e) {
                    System.err.println("prometheus-config: " + e.getMessage() + "\n" + USAGE);
                    return 2;
                }
                return 0;
            case "central":
                System.out.print(RemoteWriteConfigs.central(o));
                return 0;
            default:
                System.out.print(jobOnly ? PrometheusAssets.scrapeConfigsOnly(o) : PrometheusAssets.prometheusConfig(o));
                return 0;
        }
    }

    static int rules(String[] args) {
        if (args.length != 0) {
            System.err.println(USAGE);
            return 2;
        }
        System.out.print(PrometheusAssets.rules());
        return 0;
    }
}
