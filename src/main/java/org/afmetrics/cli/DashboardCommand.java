package org.afmetrics.cli;

import java.util.concurrent.Callable;
import org.afmetrics.facility.Dashboard;
import picocli.CommandLine.Command;

/** {@code dashboard}: prints the Grafana dashboard JSON (the repository's agent/grafana/ holds a copy). */
@Command(name = "dashboard", header = "Print the Grafana dashboard JSON.", mixinStandardHelpOptions = true,
        description = {"Print the Grafana dashboard JSON, ready to import:",
                "  java -jar af-metrics-agent.jar dashboard > af-metrics-dashboard.json"})
final class DashboardCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.print(Dashboard.render());
        return Main.OK;
    }
}
