package org.afmetrics.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.afmetrics.facility.KernelspecEditor;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;
import org.afmetrics.facility.Kernelspecs;

/**
 * {@code kernelspec list|install|remove}: turns the agent on or off for the JVM kernels Jupyter
 * sees, through {@code JAVA_TOOL_OPTIONS} in their kernel.json.
 */
final class KernelspecCommand {
    static final String USAGE = "usage: java -jar af-metrics-agent.jar kernelspec list\n"
            + "       java -jar af-metrics-agent.jar kernelspec install [NAME...|--all-jvm] [--agent-args ARGS] [--jar PATH]\n"
            + "       java -jar af-metrics-agent.jar kernelspec remove [NAME...]";

    private KernelspecCommand() {
    }

    static int run(String[] args) {
        if (args.length == 0) {
            System.err.println(USAGE);
            return 2;
        }
        Kernelspecs specs = Kernelspecs.forThisUser();
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        switch (args[0]) {
            case "list":
                return list(specs.find());
            case "install":
                return install(specs.find(), rest);
            case "remove":
                return remove(specs.find(), rest);
            default:
                System.err.println(USAGE);
                return 2;
        }
    }

    private static int list(Map<String, Path> found) {
        System.out.println(String.format("%-24s %-6s %-4s %s", "NAME", "AGENT", "JVM", "KERNEL.JSON"));
        for (Map.Entry<String, Path> e : found.entrySet()) {
            String agent;
            String jvm;
            try {
                ObjectNode spec = KernelspecEditor.parse(Files.readAllBytes(e.getValue()), e.getValue());
                agent = KernelspecEditor.agentOption(spec) != null ? "on" : "off";
                jvm = KernelspecEditor.isJvm(spec) ? "yes" : "no";
            } catch (IOException | KernelspecException ex) {
                agent = "?";
                jvm = "?";
            }
            System.out.println(String.format("%-24s %-6s %-4s %s", e.getKey(), agent, jvm, e.getValue()));
        }
        return 0;
    }

    private static int install(Map<String, Path> found, List<String> args) {
        List<String> names = new ArrayList<>();
        boolean allJvm = false;
        String agentArgs = null;
        Path jar = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--all-jvm")) {
                allJvm = true;
            } else if ((a.equals("--agent-args") || a.equals("--jar")) && i + 1 < args.size()) {
                if (a.equals("--jar")) {
                    jar = Paths.get(args.get(++i));
                } else {
                    agentArgs = args.get(++i);
                }
            } else if (a.startsWith("--")) {
                System.err.println("kernelspec install: unknown or incomplete option " + a + "\n" + USAGE);
                return 2;
            } else {
                names.add(a.toLowerCase(Locale.ROOT));
            }
        }
        if (names.isEmpty() != allJvm) {
            System.err.println("kernelspec install: name the kernels, or give --all-jvm (not both)\n" + USAGE);
            return 2;
        }
        if (jar == null) {
            jar = runningJar();
            if (jar == null) {
                System.err.println("kernelspec install: not run from the agent jar; give --jar PATH");
                return 2;
            }
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println("kernelspec install: no agent jar at " + jar);
            return 2;
        }
        String option;
        try {
            option = KernelspecEditor.option(jar, agentArgs);
        } catch (KernelspecException e) {
            System.err.println("kernelspec install: " + e.getMessage());
            return 2;
        }
        List<String> targets = allJvm ? jvmKernels(found) : names;
        if (targets.isEmpty()) {
            System.err.println("kernelspec install: no JVM kernel found (kernelspec list shows what Jupyter sees)");
            return 1;
        }
        return editEach(found, targets,
                file -> KernelspecEditor.install(file, option) ? "agent installed" : "agent already installed");
    }

    private static int remove(Map<String, Path> found, List<String> args) {
        List<String> targets = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                System.err.println("kernelspec remove: unknown option " + a + "\n" + USAGE);
                return 2;
            }
            targets.add(a.toLowerCase(Locale.ROOT));
        }
        boolean all = targets.isEmpty();
        if (all) {
            targets.addAll(found.keySet());
        }
        return editEach(found, targets, file -> {
            String what = KernelspecEditor.remove(file);
            if (what != null) {
                return "agent removed (" + what + ")";
            }
            // removing from every kernelspec: those that never had the agent are not worth a line
            return all ? null : "agent was not installed";
        });
    }

    /** One kernelspec's edit; returns what to report about it, or null for nothing. */
    private interface Edit {
        String apply(Path kernelJson) throws KernelspecException;
    }

    /**
     * Applies the edit to each named kernelspec, reporting {@code NAME: WHAT in FILE}. An unknown
     * name or a failed edit is a line on stderr, exit status 1, and does not stop the others.
     */
    private static int editEach(Map<String, Path> found, List<String> names, Edit edit) {
        int failures = 0;
        for (String name : names) {
            Path file = found.get(name);
            if (file == null) {
                System.err.println(name + ": no such kernelspec");
                failures++;
                continue;
            }
            try {
                String what = edit.apply(file);
                if (what != null) {
                    System.out.println(name + ": " + what + " in " + file);
                }
            } catch (KernelspecException e) {
                System.err.println(name + ": " + e.getMessage());
                failures++;
            }
        }
        return failures == 0 ? 0 : 1;
    }

    private static List<String> jvmKernels(Map<String, Path> found) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : found.entrySet()) {
            try {
                if (KernelspecEditor.isJvm(KernelspecEditor.parse(Files.readAllBytes(e.getValue()), e.getValue()))) {
                    out.add(e.getKey());
                }
            } catch (IOException | KernelspecException ex) {
                System.err.println(e.getKey() + ": skipped: " + ex.getMessage());
            }
        }
        return out;
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
