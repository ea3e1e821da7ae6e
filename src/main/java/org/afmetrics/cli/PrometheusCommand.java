package org.afmetrics.cli;

import org.afmetrics.facility.PrometheusAssets;

/**
 * {@code prometheus-config} and {@code prometheus-rules}: print the facility's Prometheus files.
 * The copies in the repository's {@code agent/prometheus/} are this output with the defaults.
 */
final class PrometheusCommand {
    static final String USAGE = "usage: java -jar af-metrics-agent.jar prometheus-config [--targets-dir DIR]"
            + " [--scrape-interval 15s] [--pushgateway HOST:PORT] [--rules-file rules.yml]\n"
            + "       java -jar af-metrics-agent.jar prometheus-rules";

    private PrometheusCommand() {
    }

    static int config(String[] args) {
        PrometheusAssets.ConfigOptions o = new PrometheusAssets.ConfigOptions();
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
                case "--targets-dir":
                    o.targetsDir = v;
                    break;
                case "--scrape-interval":
                    try {
                        PrometheusAssets.checkInterval(v);
                    } catch (IllegalArgumentException e) {
                        System.err.println("prometheus-config: --scrape-interval " + e.getMessage());
                        return 2;
                    }
                    o.scrapeInterval = v;
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
        System.out.print(jobOnly ? PrometheusAssets.scrapeConfigsOnly(o) : PrometheusAssets.prometheusConfig(o));
        return 0;
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
