package org.afmetrics.cli;

import org.afmetrics.Version;
import org.afmetrics.config.HelpText;

/** {@code java -jar af-metrics-agent.jar COMMAND}: the agent jar as a command-line tool. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String command = args.length == 0 ? "--help" : args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "--help":
            case "-h":
            case "help":
                System.out.print(HelpText.render(Version.get()));
                return 0;
            case "--version":
            case "version":
                System.out.println(Version.get());
                return 0;
            case "check":
                return CheckCommand.run(rest);
            case "demo":
                return DemoCommand.run(rest);
            case "attach":
                return AttachCommand.run(rest);
            case "status":
                return StatusCommand.run(rest);
            case "hash-password":
                return HashPasswordCommand.run();
            case "kernelspec":
                return KernelspecCommand.run(rest);
            case "targets":
                return TargetsCommand.run(rest);
            case "prometheus-config":
                return PrometheusCommand.config(rest);
            case "prometheus-rules":
                return PrometheusCommand.rules(rest);
            case "dashboard":
                return DashboardCommand.run(rest);
            default:
                System.err.println("af-metrics-agent: unknown command '" + command + "'; see --help");
                return 2;
        }
    }
}
