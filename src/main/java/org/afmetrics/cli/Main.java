package org.afmetrics.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.afmetrics.support.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code java -jar af-metrics-agent.jar COMMAND}: the agent jar as a command-line tool. Every
 * command's options, usage text, exit codes and the shell completion come from one picocli model;
 * the agent's keys in the help come from {@link org.afmetrics.config.ConfigKey}. Only this mode
 * loads picocli: premain never reaches this package.
 */
@Command(name = "af-metrics-agent", mixinStandardHelpOptions = true, versionProvider = Main.AgentVersion.class,
        description = {"Prometheus metrics for JVM notebook kernels.", "",
                "As an agent:  java -javaagent:af-metrics-agent.jar[=key=value,key=value...] ...",
                "              (or set AF_METRICS_<KEY> in the environment; arguments win over it)",
                "As a tool:    java -jar af-metrics-agent.jar COMMAND [OPTIONS]; COMMAND --help tells more."},
        subcommands = {CheckCommand.class, AttachCommand.class, StatusCommand.class, HashPasswordCommand.class,
                DemoCommand.class, KernelspecCommand.class, TargetsCommand.class, PrometheusCommand.Config.class,
                PrometheusCommand.Rules.class, DashboardCommand.class, HelpCommands.Help.class,
                HelpCommands.Completion.class})
public final class Main extends CommandGroup {
    /** The command did what it was asked, or found nothing to do. */
    public static final int OK = 0;
    /** The command ran, but something it was asked for failed; stderr says what. */
    public static final int FAILED = 1;
    /** The command line is wrong (unknown option, missing or bad value); nothing was done. */
    public static final int USAGE = 2;
    /** The width of every usage text, the key table's included. */
    static final int WIDTH = 100;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }


    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Main());
        // a FILE or AGENT-ARGS starting with @ is that, not a file of more arguments
        root.setExpandAtFiles(false);
        conventions(root);
        // as it is: the key table wraps itself, in columns the usage text's wrapping would break
        root.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> KeyTable.render(WIDTH));
        root.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e);
            return FAILED;
        });
        return root;
    }

    /** Every command path, e.g. "kernelspec install", in the order --help lists them. */
    static List<String> commandPaths() {
        List<String> out = new ArrayList<>();
        walk(commandLine(), "", out);
        return out;
    }

    private static void walk(CommandLine cmd, String path, List<String> out) {
        for (Map.Entry<String, CommandLine> e : cmd.getSubcommands().entrySet()) {
            String sub = (path + " " + e.getKey()).trim();
            out.add(sub);
            walk(e.getValue(), sub, out);
        }
    }

    /** The same exit-code list and layout on every command, however deep. */
    private static void conventions(CommandLine cmd) {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(" " + OK, "done (also when there was nothing to do)");
        codes.put(" " + FAILED, "the command ran, but something failed; stderr says what");
        codes.put(" " + USAGE, "wrong command line (unknown option, missing or bad value); nothing was done");
        cmd.getCommandSpec().usageMessage()
                .exitCodeListHeading("%nExit status:%n")
                .exitCodeList(codes)
                .width(WIDTH);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            conventions(sub);
        }
    }

    /** {@code --version}: the agent's version as built. */
    static final class AgentVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Version.get()};
        }
    }
}
