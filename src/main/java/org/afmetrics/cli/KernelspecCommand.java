package org.afmetrics.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.afmetrics.facility.KernelspecEditor;
import org.afmetrics.facility.KernelspecEditor.Accept;
import org.afmetrics.facility.KernelspecEditor.Change;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;
import org.afmetrics.facility.Kernelspecs;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kernelspec list|install|remove}: turns the agent on or off for the kernels Jupyter sees,
 * through {@code JAVA_TOOL_OPTIONS} in their kernel.json: in JVM kernels, and in the JVMs kernels
 * of other languages start. Every kernelspec is done or refused on its own: a refused one
 * (unknown, unreadable, of the wrong kind) is a line on stderr and exit status 1, and is left as
 * it was.
 */
@Command(name = "kernelspec", header = "Put the agent into (or take it out of) Jupyter kernelspecs.", mixinStandardHelpOptions = true,
        description = {"The kernelspecs the jupyter on PATH sees (its data paths: JUPYTER_PATH, the user's, the",
                "environment's, the system's; or one of them with --user, --sys-prefix, --prefix DIR); put",
                "the agent into, or take it out of, their JAVA_TOOL_OPTIONS."},
        subcommands = {KernelspecCommand.ListSpecs.class, KernelspecCommand.Install.class, KernelspecCommand.Remove.class})
final class KernelspecCommand extends CommandGroup {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where to look: Jupyter's search path, or the one directory an option names, as for {@code jupyter kernelspec install}. */
    static final class Where {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Place place;

        static final class Place {
            @Option(names = "--user", required = true, description = {"the user's data directory only",
                    "(JUPYTER_DATA_DIR, else ~/.local/share/jupyter)"})
            boolean user;

            @Option(names = "--sys-prefix", required = true, description = {"{sys.prefix}/share/jupyter only: the"
                    + " environment of the jupyter on PATH", "(else VIRTUAL_ENV, CONDA_PREFIX, python3 on PATH)"})
            boolean sysPrefix;

            @Option(names = "--prefix", required = true, paramLabel = "DIR", description = "DIR/share/jupyter only")
            Path prefix;
        }

        Kernelspecs.Scope scope() {
            if (place == null) {
                return Kernelspecs.Scope.searchPath();
            }
            if (place.user) {
                return Kernelspecs.Scope.user();
            }
            return place.sysPrefix ? Kernelspecs.Scope.sysPrefix() : Kernelspecs.Scope.prefix(place.prefix);
        }

        /** The kernelspecs in the place asked for; null, with a line on stderr, when that place cannot be told. */
        Map<String, Path> find(String command) {
            try {
                return Kernelspecs.forThisUser().find(scope());
            } catch (Kernelspecs.UnknownPlaceException e) {
                System.err.println(command + ": " + e.getMessage());
                return null;
            }
        }
    }

    @Command(name = "list", header = "List the kernelspecs: where the agent runs, JVM kernel or not.",
            mixinStandardHelpOptions = true,
            description = {"Each kernelspec: name; AGENT: off, kernel (in a JVM kernel and the JVMs it starts) or",
                    "child-jvms (in the JVMs a kernel of another language starts); whether it is a JVM kernel;",
                    "its kernel.json. With --json: name, file, agent (true/false), mode (the AGENT column), jvm."})
    static final class ListSpecs implements Callable<Integer> {
        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Mixin
        Where where;

        @Override
        public Integer call() {
            Map<String, Path> found = where.find("kernelspec list");
            if (found == null) {
                return Main.FAILED;
            }
            ArrayNode out = JSON.createArrayNode();
            for (Map.Entry<String, Path> e : found.entrySet()) {
                ObjectNode row = out.addObject().put("name", e.getKey()).put("file", e.getValue().toString());
                try {
                    ObjectNode spec = KernelspecEditor.parse(Files.readAllBytes(e.getValue()), e.getValue());
                    KernelspecEditor.Mode mode = KernelspecEditor.mode(spec);
                    row.put("agent", mode != KernelspecEditor.Mode.OFF);
                    row.put("mode", mode.label);
                    row.put("jvm", KernelspecEditor.isJvm(spec));
                } catch (IOException | KernelspecException ex) {
                    row.put("problem", ex.getMessage());
                }
            }
            if (json) {
                System.out.println(out.toPrettyString());
                return Main.OK;
            }
            String layout = "%-24s %-10s %-4s %s";
            System.out.println(String.format(layout, "NAME", "AGENT", "JVM", "KERNEL.JSON"));
            for (com.fasterxml.jackson.databind.JsonNode row : out) {
                boolean readable = !row.has("problem");
                System.out.println(String.format(layout, row.get("name").asText(),
                        readable ? row.get("mode").asText() : "?",
                        readable ? (row.get("jvm").asBoolean() ? "yes" : "no") : "?", row.get("file").asText()));
            }
            return Main.OK;
        }
    }

    /** Which kernelspecs: named ones, or all of a kind, never both and never none. */
    static final class Selection {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "kernelspec names (kernelspec list shows them)")
        List<String> names;
    }

    @Command(name = "install", header = "Put the agent into kernelspecs.", mixinStandardHelpOptions = true,
            description = {"Put the agent into the named kernelspecs, or into every JVM kernelspec (--all-jvm).",
                    "Only the bytes the option needs change (env.JAVA_TOOL_OPTIONS, or a new env line); the rest of",
                    "kernel.json, argv included, keeps its layout byte for byte. Installing twice equals installing",
                    "once. The original is kept beside it (kernel.json" + KernelspecEditor.BACKUP_SUFFIX + ") until remove.",
                    "A kernel of another language (Python, R, Julia ...) is refused unless --child-jvms: then",
                    "the agent is in the JVMs its notebooks start, not in the kernel. A JVM kernel is refused",
                    "with --child-jvms: its agent reaches the JVMs it starts already."})
    static final class Install implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ArgGroup(multiplicity = "1")
        Which which;

        static final class Which {
            @ArgGroup(exclusive = false)
            Selection named;

            @Option(names = "--all-jvm", required = true, description = "every kernelspec that runs on a JVM")
            boolean allJvm;
        }

        @Option(names = "--agent-args", paramLabel = "ARGS",
                description = "key=value,... after -javaagent:JAR= (checked against the agent's keys, see --help)")
        String agentArgs;

        @Option(names = "--jar", paramLabel = "PATH", description = {"the agent jar the kernels load (default: this jar,",
                "unless it is in a build tree or a temporary directory)"})
        Path jar;

        @Option(names = "--child-jvms", description = {"for named kernelspecs of other languages: the agent goes into",
                "the JVMs the kernel starts, not the kernel; JVM kernels are refused"})
        boolean childJvms;

        @Option(names = "--force", description = "install into named kernelspecs of any kind, unchecked")
        boolean force;

        @Mixin
        Where where;

        @Option(names = "--dry-run", description = "print each change as a diff; write nothing")
        boolean dryRun;

        @Override
        public Integer call() {
            if (force && which.allJvm) {
                // --all-jvm takes the JVM kernels only: a --force there would be silently ignored
                throw new ParameterException(spec.commandLine(), "--force has no use with --all-jvm, which takes the"
                        + " JVM kernels only; name a kernelspec to force (nothing written)");
            }
            if (childJvms && which.allJvm) {
                throw new ParameterException(spec.commandLine(), "--child-jvms has no use with --all-jvm, which takes"
                        + " the JVM kernels only; name the kernelspecs whose JVM children should get the agent"
                        + " (nothing written)");
            }
            if (childJvms && force) {
                throw new ParameterException(spec.commandLine(), "--child-jvms and --force: give one; --child-jvms"
                        + " takes kernels that are not JVM kernels, --force any (nothing written)");
            }
            AgentArgs.check(spec.commandLine(), "--agent-args", agentArgs, "nothing written");
            Path agentJar = jar != null ? jar : runningJar();
            if (agentJar == null) {
                throw new ParameterException(spec.commandLine(), "not run from the agent jar; give --jar PATH"
                        + " (nothing written)");
            }
            String transientPlace = jar != null ? null : KernelspecEditor.transientPlace(agentJar);
            if (transientPlace != null) {
                throw new ParameterException(spec.commandLine(), "this jar is " + agentJar + ", in " + transientPlace
                        + ", and every kernelspec would start the agent from there; nothing written. Copy it to "
                        + "its place (e.g. /opt/af-metrics/af-metrics-agent.jar) and run that copy, or name the jar"
                        + " with --jar PATH");
            }
            if (!Files.isRegularFile(agentJar)) {
                throw new ParameterException(spec.commandLine(), "--jar: no agent jar at " + agentJar);
            }
            String option;
            try {
                option = KernelspecEditor.option(agentJar, agentArgs);
            } catch (KernelspecException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + " (nothing written)");
            }
            Map<String, Path> found = where.find("kernelspec install");
            if (found == null) {
                return Main.FAILED;
            }
            Targets targets = which.allJvm ? jvmKernels(found) : named(found, which.named.names);
            if (which.allJvm && targets.names.isEmpty() && targets.failures == 0) {
                System.err.println("kernelspec install: no JVM kernel found (kernelspec list shows what Jupyter sees)");
                return Main.FAILED;
            }
            Accept accept = force ? Accept.ANY : childJvms ? Accept.CHILD_JVMS : Accept.JVM_KERNEL;
            return editEach(found, targets, dryRun, file -> KernelspecEditor.planInstall(file, option, accept));
        }
    }

    @Command(name = "remove", header = "Take the agent out of kernelspecs.", mixinStandardHelpOptions = true,
            description = {"Take the agent out of the named kernelspecs, or of all (--all): exactly what install",
                    "put in (its -javaagent option; the variable or env where install created them). Changes",
                    "made to the file since install stay; unchanged, the original bytes come back."})
    static final class Remove implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        Which which;

        static final class Which {
            @ArgGroup(exclusive = false)
            Selection named;

            @Option(names = "--all", required = true, description = "every kernelspec that has the agent")
            boolean all;
        }

        @Option(names = "--dry-run", description = "print each change as a diff; write nothing")
        boolean dryRun;

        @Mixin
        Where where;

        @Override
        public Integer call() {
            Map<String, Path> found = where.find("kernelspec remove");
            if (found == null) {
                return Main.FAILED;
            }
            Targets targets = which.all ? new Targets(new ArrayList<>(found.keySet()), 0) : named(found, which.named.names);
            return editEach(found, targets, dryRun, file -> {
                Change c = KernelspecEditor.planRemove(file);
                // removing from every kernelspec: those that never had the agent are not worth a line
                return which.all && !c.changes() ? null : c;
            });
        }
    }

    /** The kernelspecs to edit, and how many were refused while choosing them. */
    private static final class Targets {
        final List<String> names;
        final int failures;

        Targets(List<String> names, int failures) {
            this.names = names;
            this.failures = failures;
        }
    }

    private static Targets named(Map<String, Path> found, List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(n.toLowerCase(Locale.ROOT));
        }
        return new Targets(out, 0);
    }

    /** The JVM kernelspecs; one that cannot be read is reported and counts as a failure. */
    private static Targets jvmKernels(Map<String, Path> found) {
        List<String> out = new ArrayList<>();
        int failures = 0;
        for (Map.Entry<String, Path> e : found.entrySet()) {
            try {
                if (KernelspecEditor.isJvm(KernelspecEditor.parse(Files.readAllBytes(e.getValue()), e.getValue()))) {
                    out.add(e.getKey());
                }
            } catch (IOException | KernelspecException ex) {
                System.err.println(e.getKey() + ": skipped: " + ex.getMessage());
                failures++;
            }
        }
        return new Targets(out, failures);
    }

    /** One kernelspec's planned edit, or null for nothing to report. */
    private interface Plan {
        Change apply(Path kernelJson) throws KernelspecException;
    }

    /**
     * Plans and applies (or, dry, prints) the edit of each kernelspec, reporting
     * {@code NAME: WHAT in FILE}. An unknown name or a refused edit is a line on stderr and exit
     * status 1, and does not stop the others.
     */
    private static int editEach(Map<String, Path> found, Targets targets, boolean dryRun, Plan plan) {
        int failures = targets.failures;
        for (String name : targets.names) {
            Path file = found.get(name);
            if (file == null) {
                System.err.println(name + ": no such kernelspec");
                failures++;
                continue;
            }
            try {
                Change c = plan.apply(file);
                if (c == null) {
                    continue;
                }
                if (dryRun) {
                    System.out.println(name + ": " + c.what + " in " + file + " (dry run: nothing written)");
                    System.out.print(diff(c));
                } else {
                    KernelspecEditor.apply(c);
                    System.out.println(name + ": " + c.what + " in " + file);
                }
            } catch (KernelspecException e) {
                System.err.println(name + ": " + e.getMessage());
                failures++;
            }
        }
        return failures == 0 ? Main.OK : Main.FAILED;
    }

    /** The change as a unified diff, empty when nothing would change. */
    static String diff(Change c) {
        if (!c.changes()) {
            return "";
        }
        List<String> before = lines(c.before);
        List<String> after = lines(c.after);
        List<String> patch = UnifiedDiffUtils.generateUnifiedDiff(c.file.toString(), c.file.toString(), before,
                DiffUtils.diff(before, after), 3);
        StringBuilder sb = new StringBuilder();
        for (String line : patch) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    private static List<String> lines(byte[] bytes) {
        // a final newline ends the last line; it starts no empty one
        return Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
    }

    /** The jar this command runs from, by absolute path, or null when run from classes. */
    static Path runningJar() {
        try {
            Path p = Paths.get(KernelspecCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p.toAbsolutePath() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
