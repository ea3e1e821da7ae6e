package org.afmetrics.cli;

import java.util.ArrayList;
import java.util.List;
import org.afmetrics.config.AgentConfig;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The agent arguments a command hands on (kernelspec install --agent-args, attach AGENT-ARGS),
 * checked the one way: what the agent would warn about at start is refused here, before
 * anything is written or attached, with exit status 2.
 */
final class AgentArgs {
    private static final String KEYS_HINT = " (java -jar af-metrics-agent.jar --help lists the keys)";

    private AgentArgs() {
    }

    /**
     * The agent's own warnings for these arguments (the environment left out: it is not what is
     * being handed on), without what the agent would do about them, which here does not happen.
     */
    static List<String> problems(String agentArgs) {
        List<String> out = new ArrayList<>();
        if (agentArgs == null) {
            return out;
        }
        for (String w : AgentConfig.parse(agentArgs, name -> null).warnings()) {
            out.add(w.replace(KEYS_HINT, "")
                    .replaceFirst(" ignored$", "")
                    .replaceFirst("; ignored$", "")
                    .replaceFirst("; using (the default )?'[^']*'$", ""));
        }
        return out;
    }

    /**
     * Throws the usage error that refuses the arguments, when the agent would not take them all.
     *
     * @param what the option or parameter, e.g. {@code --agent-args}
     * @param consequence what was not done, e.g. {@code nothing written}
     */
    static void check(CommandLine cmd, String what, String agentArgs, String consequence) {
        List<String> problems = problems(agentArgs);
        if (!problems.isEmpty()) {
            throw new ParameterException(cmd, what + " refused, " + consequence + ": " + String.join("; ", problems)
                    + (String.join("", problems).contains("unknown key") ? KEYS_HINT : ""));
        }
    }
}
