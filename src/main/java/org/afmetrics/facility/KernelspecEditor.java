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
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
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
    /** An af-metrics {@code -javaagent} option: a jar whose file name starts with af-metrics. */
    private static final Pattern OUR_OPTION = Pattern.compile("(\\s*)-javaagent:(?:\\S*[/\\\\])?af-metrics[^\\s/\\\\]*\\.jar(?:=\\S*)?");
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
        Matcher m = OUR_OPTION.matcher(spec.path("env").path(VARIABLE).asText(""));
        return m.find() ? m.group().trim() : null;
    }

    /** The option to add, refusing what {@code JAVA_TOOL_OPTIONS} cannot carry. */
    public static String option(Path jar, String agentArgs) throws KernelspecException {
        String path = jar.toAbsolutePath().normalize().toString();
        if (path.matches(".*\\s.*")) {
            throw new KernelspecException("the agent jar's path " + path + " has a space, which "
                    + VARIABLE + " cannot carry; put the jar in a path without spaces");
        }
        if (!jar.getFileName().toString().startsWith("af-metrics")) {
            throw new KernelspecException("the agent jar's file name must start with af-metrics (it is "
                    + jar.getFileName() + "), so that remove can find it again");
        }
        if (agentArgs != null && agentArgs.matches(".*\\s.*")) {
            throw new KernelspecException("agent arguments cannot contain spaces in " + VARIABLE);
        }
        return "-javaagent:" + path + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs);
    }

    /** The spec with the option in place of any earlier af-metrics option, appended after the others. */
    public static ObjectNode withAgent(ObjectNode spec, String option) {
        ObjectNode copy = spec.deepCopy();
        ObjectNode env = copy.has("env") ? (ObjectNode) copy.get("env") : copy.putObject("env");
        String rest = strip(env.path(VARIABLE).asText(""));
        env.put(VARIABLE, rest.trim().isEmpty() ? option : rest + " " + option);
        return copy;
    }

    /** The spec without the af-metrics option; a variable or env left empty by that goes too. */
    public static ObjectNode withoutAgent(ObjectNode spec) {
        ObjectNode copy = spec.deepCopy();
        if (!copy.path("env").has(VARIABLE)) {
            return copy;
        }
        ObjectNode env = (ObjectNode) copy.get("env");
        String before = env.get(VARIABLE).asText();
        String rest = strip(before);
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
    static String strip(String options) {
        String out = OUR_OPTION.matcher(options).replaceAll("");
        return options.isEmpty() || out.length() == options.length() ? options : out.replaceFirst("^\\s+", "");
    }

    /** Installs into one kernel.json: the backup first (once), then the new file in one rename. */
    public static boolean install(Path kernelJson, String option) throws KernelspecException {
        byte[] original = read(kernelJson);
        ObjectNode spec = parse(original, kernelJson);
        ObjectNode updated = withAgent(spec, option);
        if (updated.equals(spec)) {
            return false;
        }
        Path backup = backupOf(kernelJson);
        if (!Files.exists(backup)) {
            writeAtomically(backup, original, kernelJson);
        }
        writeAtomically(kernelJson, render(updated), kernelJson);
        return true;
    }

    /**
     * Removes from one kernel.json. When the file without the agent is what the backup holds,
     * the backup's bytes come back exactly; otherwise (the file was edited since) the agent's
     * option alone is taken out and the backup stays for the operator to compare.
     */
    public static String remove(Path kernelJson) throws KernelspecException {
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
                writeAtomically(kernelJson, saved, kernelJson);
                try {
                    Files.delete(backup);
                } catch (IOException e) {
                    throw new KernelspecException(backup + ": restored, but cannot delete the backup: " + e.getMessage());
                }
                return "restored from " + backup.getFileName();
            }
        }
        if (stripped.equals(spec)) {
            return null;
        }
        writeAtomically(kernelJson, render(stripped), kernelJson);
        return Files.exists(backup) ? "option removed; the file changed since install, backup kept at " + backup
                : "option removed";
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
