package org.afmetrics.facility;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the agent into a kernelspec and takes it out again. The agent goes into
 * {@code JAVA_TOOL_OPTIONS} of the kernel's {@code env}, which every JVM the kernel starts reads,
 * whatever launches it. Install keeps every other option and variable and replaces an earlier
 * af-metrics option, so installing twice equals installing once; the untouched original is kept
 * beside the file, and remove puts those very bytes back when nothing else changed since.
 */
public final class KernelspecEditor {
    public static final String VARIABLE = "JAVA_TOOL_OPTIONS";
    public static final String BACKUP_SUFFIX = ".af-metrics-backup";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where install records the jar it wrote, so that remove finds the option even if the jar is gone. */
    public static final String METADATA = "af-metrics";
    private static final String RECORDED_JAR = "agent-jar";
    /** Any {@code -javaagent} option, with the space before it; group 2 is the jar's path. */
    private static final Pattern AGENT_OPTION = Pattern.compile("(\\s*)-javaagent:([^=\\s]+)(?:=\\S*)?");
    /** The file name af-metrics jars carry, for an option whose jar can no longer be read. */
    private static final Pattern OUR_FILE_NAME = Pattern.compile("(?:.*[/\\\\])?af-metrics[^/\\\\]*\\.jar");
    private static final String PREMAIN_CLASS = "org.afmetrics.Agent";
    private static final Set<String> JVM_LANGUAGES = new HashSet<>(Arrays.asList(
            "java", "kotlin", "scala", "groovy", "clojure", "jshell"));

    private KernelspecEditor() {
    }

    /** A kernelspec that cannot be read or written; the file is left as it was. */
    public static final class KernelspecException extends Exception {
        public KernelspecException(String message) {
            super(message);
        }
    }

    public static ObjectNode parse(byte[] bytes, Path file) throws KernelspecException {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new KernelspecException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new KernelspecException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new KernelspecException(file + ": not a JSON object");
        }
        if (!node.path("argv").isArray() || node.path("argv").size() == 0) {
            throw new KernelspecException(file + ": has no argv list, so it is no kernelspec");
        }
        if (node.has("env") && !node.get("env").isObject()) {
            throw new KernelspecException(file + ": its env is not an object");
        }
        if (node.path("env").has(VARIABLE) && !node.path("env").get(VARIABLE).isTextual()) {
            throw new KernelspecException(file + ": env." + VARIABLE + " is not a string");
        }
        return (ObjectNode) node;
    }

    /** Whether the kernel runs on a JVM: it starts {@code java}, or its language is a JVM one. */
    public static boolean isJvm(ObjectNode spec) {
        String argv0 = spec.path("argv").path(0).asText("");
        String base = argv0.substring(Math.max(argv0.lastIndexOf('/'), argv0.lastIndexOf('\\')) + 1)
                .toLowerCase(Locale.ROOT);
        if (base.equals("java") || base.equals("java.exe")) {
            return true;
        }
        return JVM_LANGUAGES.contains(spec.path("language").asText("").toLowerCase(Locale.ROOT));
    }

    /** The af-metrics option in the kernel's {@code JAVA_TOOL_OPTIONS}, or null. */
    public static String agentOption(ObjectNode spec) {
        String recorded = recordedJar(spec);
        Matcher m = AGENT_OPTION.matcher(spec.path("env").path(VARIABLE).asText(""));
        while (m.find()) {
            if (isOurs(m.group(2), recorded)) {
                return m.group().trim();
            }
        }
        return null;
    }

    /** The jar path install recorded in the spec's metadata, or null. */
    static String recordedJar(ObjectNode spec) {
        JsonNode jar = spec.path("metadata").path(METADATA).path(RECORDED_JAR);
        return jar.isTextual() ? jar.asText() : null;
    }

    /**
     * Whether a {@code -javaagent} jar is this agent, whatever it is called: its manifest names the
     * agent's Premain-Class, or it is the jar install recorded; a jar that cannot be read counts
     * when its file name starts with af-metrics.
     */
    static boolean isOurs(String jarPath, String recorded) {
        if (jarPath.equals(recorded)) {
            return true;
        }
        Path jar = Paths.get(jarPath);
        if (Files.isRegularFile(jar)) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                if (manifest != null) {
                    return PREMAIN_CLASS.equals(manifest.getMainAttributes().getValue("Premain-Class"));
                }
            } catch (IOException | RuntimeException e) {
                // not a jar we can read: judge by its name
            }
        }
        return OUR_FILE_NAME.matcher(jarPath).matches();
    }

    /** The option to add, refusing what {@code JAVA_TOOL_OPTIONS} cannot carry. */
    public static String option(Path jar, String agentArgs) throws KernelspecException {
        String path = jar.toAbsolutePath().normalize().toString();
        if (path.matches(".*\\s.*")) {
            throw new KernelspecException("the agent jar's path " + path + " has a space, which "
                    + VARIABLE + " cannot carry; put the jar in a path without spaces");
        }
        if (agentArgs != null && agentArgs.matches(".*\\s.*")) {
            throw new KernelspecException("agent arguments cannot contain spaces in " + VARIABLE);
        }
        return "-javaagent:" + path + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs);
    }

    /**
     * The spec with the option in place of any earlier af-metrics option, appended after the
     * others, and its jar recorded in the metadata.
     */
    public static ObjectNode withAgent(ObjectNode spec, String option) {
        ObjectNode copy = spec.deepCopy();
        ObjectNode env = copy.has("env") ? (ObjectNode) copy.get("env") : copy.putObject("env");
        String rest = strip(env.path(VARIABLE).asText(""), recordedJar(spec));
        env.put(VARIABLE, rest.trim().isEmpty() ? option : rest + " " + option);
        Matcher m = AGENT_OPTION.matcher(option);
        if (m.find() && (!copy.has("metadata") || copy.get("metadata").isObject())) {
            ObjectNode metadata = copy.has("metadata") ? (ObjectNode) copy.get("metadata") : copy.putObject("metadata");
            metadata.putObject(METADATA).put(RECORDED_JAR, m.group(2));
        }
        return copy;
    }

    /** The spec without the af-metrics option; a variable or env left empty by that goes too. */
    public static ObjectNode withoutAgent(ObjectNode spec) {
        ObjectNode copy = spec.deepCopy();
        String recorded = recordedJar(spec);
        if (recorded != null) {
            ObjectNode metadata = (ObjectNode) copy.get("metadata");
            metadata.remove(METADATA);
            if (metadata.size() == 0) {
                copy.remove("metadata");
            }
        }
        if (!copy.path("env").has(VARIABLE)) {
            return copy;
        }
        ObjectNode env = (ObjectNode) copy.get("env");
        String before = env.get(VARIABLE).asText();
        String rest = strip(before, recorded);
        if (rest.equals(before)) {
            return copy;
        }
        if (rest.trim().isEmpty()) {
            env.remove(VARIABLE);
            if (env.size() == 0) {
                copy.remove("env");
            }
        } else {
            env.put(VARIABLE, rest);
        }
        return copy;
    }

    /** Removes every af-metrics option and the space before it; a leading one takes the space after. */
    static String strip(String options, String recordedJar) {
        Matcher m = AGENT_OPTION.matcher(options);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (m.find()) {
            if (isOurs(m.group(2), recordedJar)) {
                out.append(options, from, m.start());
                from = m.end();
            }
        }
        if (from == 0) {
            return options;
        }
        out.append(options.substring(from));
        return out.toString().replaceFirst("^\\s+", "");
    }

    static String strip(String options) {
        return strip(options, null);
    }

    /**
     * An edit of one kernel.json, worked out before anything is written: the bytes before and
     * after ({@code after} null when nothing would change) and what it does, in words.
     */
    public static final class Change {
        public final Path file;
        public final byte[] before;
        public final byte[] after;
        public final String what;
        /** An install keeps the original beside the file; a removal that restores it deletes it. */
        private final boolean install;
        private final boolean restoresBackup;

        Change(Path file, byte[] before, byte[] after, String what, boolean install, boolean restoresBackup) {
            this.file = file;
            this.before = before;
            this.after = after;
            this.what = what;
            this.install = install;
            this.restoresBackup = restoresBackup;
        }

        public boolean changes() {
            return after != null;
        }
    }

    /**
     * The install of the option into one kernel.json. A kernelspec that does not run on a JVM is
     * refused unless forced: a {@code JAVA_TOOL_OPTIONS} there does nothing, or reaches a JVM the
     * kernel starts by the way.
     */
    public static Change planInstall(Path kernelJson, String option, boolean force) throws KernelspecException {
        byte[] original = read(kernelJson);
        ObjectNode spec = parse(original, kernelJson);
        if (!force && !isJvm(spec)) {
            throw new KernelspecException("not a JVM kernel (argv[0] " + spec.path("argv").path(0).asText("?")
                    + ", language " + spec.path("language").asText("?") + "); --force installs anyway");
        }
        ObjectNode updated = withAgent(spec, option);
        if (updated.equals(spec)) {
            return new Change(kernelJson, original, null, "agent already installed", true, false);
        }
        return new Change(kernelJson, original, render(updated), "agent installed", true, false);
    }

    /**
     * The removal from one kernel.json. When the file without the agent is what the backup holds,
     * the backup's bytes come back exactly; otherwise (the file was edited since) the agent's
     * option alone is taken out and the backup stays for the operator to compare.
     */
    public static Change planRemove(Path kernelJson) throws KernelspecException {
        byte[] current = read(kernelJson);
        ObjectNode spec = parse(current, kernelJson);
        ObjectNode stripped = withoutAgent(spec);
        Path backup = backupOf(kernelJson);
        if (Files.isRegularFile(backup)) {
            byte[] saved = read(backup);
            ObjectNode savedSpec;
            try {
                savedSpec = parse(saved, backup);
            } catch (KernelspecException e) {
                savedSpec = null;
            }
            if (stripped.equals(savedSpec)) {
                return new Change(kernelJson, current, saved, "agent removed (restored from " + backup.getFileName() + ")",
                        false, true);
            }
        }
        if (stripped.equals(spec)) {
            return new Change(kernelJson, current, null, "agent was not installed", false, false);
        }
        return new Change(kernelJson, current, render(stripped), Files.exists(backup)
                ? "agent removed (option removed; the file changed since install, backup kept at " + backup + ")"
                : "agent removed (option removed)", false, false);
    }

    /** Writes a change: an install keeps the untouched original beside the file (once). */
    public static void apply(Change change) throws KernelspecException {
        if (!change.changes()) {
            return;
        }
        Path backup = backupOf(change.file);
        if (change.install && !Files.exists(backup)) {
            writeAtomically(backup, change.before, change.file);
        }
        writeAtomically(change.file, change.after, change.file);
        if (change.restoresBackup) {
            try {
                Files.delete(backup);
            } catch (IOException e) {
                throw new KernelspecException(backup + ": restored, but cannot delete the backup: " + e.getMessage());
            }
        }
    }

    /** Installs into one kernel.json (JVM or not): the backup first (once), then the new file in one rename. */
    public static boolean install(Path kernelJson, String option) throws KernelspecException {
        Change c = planInstall(kernelJson, option, true);
        apply(c);
        return c.changes();
    }

    /** Removes from one kernel.json; says what it did, or null when the agent was not there. */
    public static String remove(Path kernelJson) throws KernelspecException {
        Change c = planRemove(kernelJson);
        apply(c);
        return c.changes() ? c.what.replaceFirst("^agent removed \\((.*)\\)$", "$1") : null;
    }

    public static Path backupOf(Path kernelJson) {
        return kernelJson.resolveSibling(kernelJson.getFileName() + BACKUP_SUFFIX);
    }

    /** Jupyter's own layout: one-space indent, {@code "key": value}. */
    static byte[] render(ObjectNode spec) {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentObjectsWith(new DefaultIndenter(" ", "\n"));
        pp.indentArraysWith(new DefaultIndenter(" ", "\n"));
        try {
            return (JSON.writer(pp).writeValueAsString(spec) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) throws KernelspecException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KernelspecException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static void writeAtomically(Path target, byte[] bytes, Path permissionsFrom) throws KernelspecException {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(permissionsFrom));
            } catch (UnsupportedOperationException ignored) {
                // no POSIX permissions to keep
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KernelspecException(target + ": cannot write (" + e.getMessage() + "); left as it was");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray hidden temp file is all that is left
                }
            }
        }
    }
}
