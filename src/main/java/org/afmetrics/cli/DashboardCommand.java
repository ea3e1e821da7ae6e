package org.afmetrics.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.afmetrics.config.AgentConfig;
import org.afmetrics.config.ConfigKey;
import org.afmetrics.facility.Dashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dashboard}: prints the Grafana dashboard JSON (the repository's agent/grafana/ holds a copy). */
@Command(name = "dashboard", mixinStandardHelpOptions = true, header = "Print the Grafana dashboard JSON.",
        description = {"Print the Grafana dashboard JSON, ready to import (Grafana asks for the Prometheus",
                "data source):  java -jar af-metrics-agent.jar dashboard > af-metrics-dashboard.json"})
final class DashboardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "notebook_",
            description = "the agents' prefix key: notebook metric names start with it (default: ${DEFAULT-VALUE})")
    String prefix;

    @Override
    public Integer call() {
        List<String> problems = AgentConfig.parse(ConfigKey.PREFIX.key() + "=" + prefix, name -> null).warnings();
        if (!problems.isEmpty() || prefix.contains(",")) {
            throw new ParameterException(spec.commandLine(), "--prefix: '" + prefix + "' is not a valid metric name prefix");
        }
        System.out.print(Dashboard.render(prefix));
        return Main.OK;
    }
}
