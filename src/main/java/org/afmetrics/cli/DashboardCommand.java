package org.afmetrics.cli;

import org.afmetrics.facility.Dashboard;

/** {@code dashboard}: prints the Grafana dashboard JSON (the repository's agent/grafana/ holds a copy). */
final class DashboardCommand {
    private DashboardCommand() {
    }

    static int run(String[] args) {
        if (args.length != 0) {
            System.err.println("usage: java -jar af-metrics-agent.jar dashboard > af-metrics-dashboard.json");
            return 2;
        }
        System.out.print(Dashboard.render());
        return 0;
    }
}
