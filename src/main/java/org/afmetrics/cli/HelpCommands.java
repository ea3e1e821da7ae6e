package org.afmetrics.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code help [COMMAND...]} and {@code completion}: both read the tool's own command model. */
final class HelpCommands {
    private HelpCommands() {
    }

    @Command(name = "help", mixinStandardHelpOptions = true, header = "The help of the tool or of a command.",
            description = "As COMMAND --help: 'help kernelspec install' equals 'kernelspec install --help'.")
    static final class Help implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "a command, e.g. kernelspec install")
        List<String> command;

        @Override
        public Integer call() {
            CommandLine target = spec.root().commandLine();
            if (command != null) {
                for (String name : command) {
                    CommandLine sub = target.getSubcommands().get(name);
                    if (sub == null) {
                        throw new ParameterException(spec.commandLine(), "no command '" + String.join(" ", command) + "'");
                    }
                    target = sub;
                }
            }
            target.usage(System.out);
            return Main.OK;
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            header = "Print a bash/zsh completion script for this tool.",
            description = {"  source <(java -jar af-metrics-agent.jar completion)",
                    "completes the commands and options of a wrapper script or alias named af-metrics-agent."})
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            System.out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
            return Main.OK;
        }
    }
}
