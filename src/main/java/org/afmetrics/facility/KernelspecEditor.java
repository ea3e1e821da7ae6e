package org.afmetrics.facility;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
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
 * af-metrics option, so installing twice equals installing once. Both edit the file's bytes where
 * they must and nowhere else (the spans come from the streaming parser's token locations), so
 * the layout the file has is the layout it keeps, and remove takes out exactly what install put
 * in, whatever else changed since. Install keeps the untouched original beside the file, which
 * tells remove whether {@code env} or the variable were there before.
 */
public final class KernelspecEditor {
    public static final String VARIABLE = "JAVA_TOOL_OPTIONS";
    public static final String BACKUP_SUFFIX = ".af-metrics-backup";
    /** Two members of one name are refused: which one Jupyter would take is not for this tool to guess. */
    private static final ObjectMapper JSON = new ObjectMapper(
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    /** Where earlier versions of install recorded the jar they wrote; remove still honours and removes it. */
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

    /**
     * Where the agent of a kernelspec runs, derived from the file alone (no record is kept): not at
     * all; in the kernel, a JVM, and the JVMs it starts; or, in a kernel of another language, in
     * the JVMs it starts only.
     */
    public enum Mode {
        OFF("off"), KERNEL("kernel"), CHILD_JVMS("child-jvms");

        public final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    public static Mode mode(ObjectNode spec) {
        if (agentOption(spec) == null) {
            return Mode.OFF;
        }
        return isJvm(spec) ? Mode.KERNEL : Mode.CHILD_JVMS;
    }

    /** Which kernelspecs an install takes: JVM kernels, kernels of other languages for their JVM children, or any. */
    public enum Accept {
        JVM_KERNEL, CHILD_JVMS, ANY
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

    /**
     * Where a jar lies that kernels should not load it from, in words, or null: a build tree (a
     * {@code target/} beside a {@code pom.xml}, a {@code build/} beside a Gradle build file), which
     * the next clean empties, or a temporary directory, which the system empties.
     */
    public static String transientPlace(Path jar) {
        Path path = jar.toAbsolutePath().normalize();
        for (Path dir = path.getParent(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            String name = String.valueOf(dir.getFileName());
            Path project = dir.getParent();
            if (name.equals("target") && Files.isRegularFile(project.resolve("pom.xml"))) {
                return "the build tree " + dir + " (Maven)";
            }
            if (name.equals("build") && (Files.isRegularFile(project.resolve("build.gradle"))
                    || Files.isRegularFile(project.resolve("build.gradle.kts")))) {
                return "the build tree " + dir + " (Gradle)";
            }
        }
        Set<Path> temporary = new HashSet<>();
        temporary.add(Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize());
        for (String t : new String[] {"/tmp", "/var/tmp", "/dev/shm"}) {
            temporary.add(Paths.get(t));
        }
        for (Path t : temporary) {
            if (path.startsWith(t)) {
                return "the temporary directory " + t;
            }
        }
        return null;
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
        /** An install keeps the original beside the file; a removal deletes that copy. */
        private final boolean install;

        Change(Path file, byte[] before, byte[] after, String what, boolean install) {
            this.file = file;
            this.before = before;
            this.after = after;
            this.what = what;
            this.install = install;
        }

        public boolean changes() {
            return after != null;
        }
    }

    /**
     * The install of the option into one kernel.json. What {@code accept} does not take is
     * refused: a kernel of another language unless its JVM children are asked for (there the
     * variable reaches only the JVMs it starts, which is the point of asking); a JVM kernel when
     * they are (its own agent reaches the JVMs it starts already, and the agent tells kernel from
     * child by itself). Either way the edit is the same: only the bytes the option needs change,
     * the value of {@code env.JAVA_TOOL_OPTIONS}, or a new first member of {@code env} (or a new
     * {@code env} as the first member of the file); {@code argv} and every other byte stay as
     * they were.
     */
    public static Change planInstall(Path kernelJson, String option, Accept accept) throws KernelspecException {
        byte[] original = read(kernelJson);
        ObjectNode spec = parse(original, kernelJson);
        boolean jvm = isJvm(spec);
        if (accept == Accept.JVM_KERNEL && !jvm) {
            // the file's argv and language are not repeated: what a kernel.json holds is not ours to print
            throw new KernelspecException("not a JVM kernel (argv[0] is no java, its language no JVM one); "
                    + "--child-jvms puts the agent into the JVMs it starts, leaving the kernel as it is");
        }
        if (accept == Accept.CHILD_JVMS && jvm) {
            throw new KernelspecException("a JVM kernel: install it without --child-jvms; the agent in the kernel"
                    + " reaches the JVMs it starts as well");
        }
        String installed = jvm ? "agent installed" : "agent installed (for the JVMs the kernel starts)";
        JsonNode current = spec.path("env").get(VARIABLE);
        String rest = current == null ? "" : strip(current.asText(), recordedJar(spec));
        String value = rest.trim().isEmpty() ? option : rest + " " + option;
        if (current != null && value.equals(current.asText())) {
            return new Change(kernelJson, original, null, "agent already installed", true);
        }
        Layout layout = Layout.of(original, kernelJson);
        byte[] after;
        if (layout.tool != null) {
            String raw = strip(literal(original, layout.tool), recordedJar(spec));
            raw = raw.trim().isEmpty() ? quote(option) : "\"" + raw + " " + quote(option).substring(1);
            after = splice(original, layout.tool.valueStart, layout.tool.valueEnd, asWritten(raw, value));
        } else if (layout.envObject != null) {
            after = insertMember(original, layout.envObject, quote(VARIABLE) + ": " + quote(value));
        } else {
            after = insertMember(original, layout.root, "\"env\": {" + quote(VARIABLE) + ": " + quote(value) + "}");
        }
        return new Change(kernelJson, original, after, installed, true);
    }

    /**
     * The removal from one kernel.json: the agent's option comes out of
     * {@code env.JAVA_TOOL_OPTIONS}; the variable, or {@code env}, goes too where install created
     * it (the copy install kept beside the file tells; without it, where nothing else is left in
     * it). Everything else, including edits made since install, stays byte for byte.
     */
    public static Change planRemove(Path kernelJson) throws KernelspecException {
        byte[] current = read(kernelJson);
        ObjectNode spec = parse(current, kernelJson);
        ObjectNode original = null;
        Path backup = backupOf(kernelJson);
        if (Files.isRegularFile(backup)) {
            try {
                original = parse(read(backup), backup);
            } catch (KernelspecException e) {
                original = null; // an unreadable copy tells nothing
            }
        }
        byte[] bytes = without(current, spec, original, kernelJson);
        if (bytes == current) {
            return new Change(kernelJson, current, null, "agent was not installed", false);
        }
        String what = "agent removed";
        if (original != null && !Arrays.equals(bytes, without(read(backup), original, original, backup))) {
            what += " (the file changed since install; those changes are kept)";
        }
        return new Change(kernelJson, current, bytes, what, false);
    }

    /** The bytes without the agent's option (and what install created for it); the same array when it has none. */
    private static byte[] without(byte[] current, ObjectNode spec, ObjectNode original, Path kernelJson)
            throws KernelspecException {
        String recorded = recordedJar(spec);
        byte[] bytes = current;
        JsonNode tool = spec.path("env").get(VARIABLE);
        if (tool != null) {
            String rest = strip(tool.asText(), recorded);
            if (!rest.equals(tool.asText())) {
                Layout layout = Layout.of(bytes, kernelJson);
                boolean keepVariable = !rest.trim().isEmpty()
                        || original != null && original.path("env").has(VARIABLE);
                boolean keepEnv = layout.envObject.members.size() > 1 || original != null && original.has("env");
                if (keepVariable) {
                    String raw = "\"" + strip(literal(bytes, layout.tool), recorded) + "\"";
                    bytes = splice(bytes, layout.tool.valueStart, layout.tool.valueEnd, asWritten(raw, rest));
                } else if (keepEnv) {
                    bytes = deleteMember(bytes, layout.envObject, layout.tool);
                } else {
                    bytes = deleteMember(bytes, layout.root, layout.env);
                }
            }
        }
        if (spec.path("metadata").path(METADATA).isObject()) {
            // the record an earlier version of install kept in the metadata goes with the option
            Layout layout = Layout.of(bytes, kernelJson);
            boolean keepMetadata = layout.metadataObject.members.size() > 1
                    || original != null && original.has("metadata");
            bytes = keepMetadata ? deleteMember(bytes, layout.metadataObject, layout.record)
                    : deleteMember(bytes, layout.root, layout.metadata);
        }
        return bytes;
    }

    /** Writes a change: an install keeps the untouched original beside the file (once); a removal drops it. */
    public static void apply(Change change) throws KernelspecException {
        if (!change.changes()) {
            return;
        }
        Path backup = backupOf(change.file);
        if (change.install && !Files.exists(backup)) {
            writeAtomically(backup, change.before, change.file);
        }
        writeAtomically(change.file, change.after, change.file);
        if (!change.install) {
            try {
                Files.deleteIfExists(backup);
            } catch (IOException e) {
                throw new KernelspecException(backup + ": agent removed, but cannot delete this copy: " + e.getMessage());
            }
        }
    }

    /** Installs into one kernel.json (JVM or not): the backup first (once), then the new file in one rename. */
    public static boolean install(Path kernelJson, String option) throws KernelspecException {
        Change c = planInstall(kernelJson, option, Accept.ANY);
        apply(c);
        return c.changes();
    }

    /** Removes from one kernel.json; says what it did, or null when the agent was not there. */
    public static String remove(Path kernelJson) throws KernelspecException {
        Change c = planRemove(kernelJson);
        apply(c);
        return c.changes() ? c.what : null;
    }

    public static Path backupOf(Path kernelJson) {
        return kernelJson.resolveSibling(kernelJson.getFileName() + BACKUP_SUFFIX);
    }

    /** The text of a string member's literal as it is in the file: escapes not undone, no quotes. */
    private static String literal(byte[] bytes, MemberSpan member) {
        return new String(bytes, member.valueStart + 1, member.valueEnd - member.valueStart - 2, StandardCharsets.UTF_8);
    }

    /**
     * The literal edited where it stands (so the escapes the file wrote stay as they were) when
     * it reads as the value it must have; else the value written afresh.
     */
    private static String asWritten(String literal, String value) {
        try {
            if (value.equals(JSON.readValue(literal, String.class))) {
                return literal;
            }
        } catch (JsonProcessingException e) {
            // an option cut in the middle of an escape: write the value afresh
        }
        return quote(value);
    }

    /** A JSON string literal, as Jackson writes it. */
    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes with {@code [from, to)} replaced by the replacement's UTF-8 bytes. */
    static byte[] splice(byte[] bytes, int from, int to, String replacement) {
        byte[] insert = replacement.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }

    /**
     * A member put in front of an object's first one, with the same white space before it that
     * the first had (so a member per line stays a member per line); into an empty object as is.
     */
    private static byte[] insertMember(byte[] bytes, JsonObjectSpan object, String member) {
        if (object.members.isEmpty()) {
            return splice(bytes, object.open + 1, object.open + 1, member);
        }
        int first = object.members.get(0).nameStart;
        String space = new String(bytes, object.open + 1, first - object.open - 1, StandardCharsets.UTF_8);
        return splice(bytes, first, first, member + "," + space);
    }

    /**
     * A member taken out of an object: up to the next member's name (so the inverse of
     * {@link #insertMember}), or, for the last one, from the end of the one before it.
     */
    private static byte[] deleteMember(byte[] bytes, JsonObjectSpan object, MemberSpan member) {
        int i = object.members.indexOf(member);
        if (i + 1 < object.members.size()) {
            return splice(bytes, member.nameStart, object.members.get(i + 1).nameStart, "");
        }
        if (i > 0) {
            return splice(bytes, object.members.get(i - 1).valueEnd, member.valueEnd, "");
        }
        return splice(bytes, member.nameStart, member.valueEnd, "");
    }

    /** A member of an object: where its name starts, where its value starts and ends (exclusive). */
    static final class MemberSpan {
        final String name;
        final int nameStart;
        final int valueStart;
        int valueEnd;

        MemberSpan(String name, int nameStart, int valueStart) {
            this.name = name;
            this.nameStart = nameStart;
            this.valueStart = valueStart;
        }
    }

    /** An object: its braces' offsets and its members in file order. */
    static final class JsonObjectSpan {
        final int open;
        int close;
        final List<MemberSpan> members = new ArrayList<>();

        JsonObjectSpan(int open) {
            this.open = open;
        }
    }

    /**
     * Where, in the file's bytes, the parts install and remove edit are: the top-level object,
     * {@code env} and its {@code JAVA_TOOL_OPTIONS}, {@code metadata} and its af-metrics record.
     * The offsets are the streaming parser's token locations; the file was already parsed whole
     * (so it is valid JSON without duplicate names).
     */
    static final class Layout {
        JsonObjectSpan root;
        MemberSpan env;
        JsonObjectSpan envObject;
        MemberSpan tool;
        MemberSpan metadata;
        JsonObjectSpan metadataObject;
        MemberSpan record;

        static Layout of(byte[] bytes, Path file) throws KernelspecException {
            Layout layout = new Layout();
            try (JsonParser p = JSON.getFactory().createParser(bytes)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new KernelspecException(file + ": not a JSON object");
                }
                layout.root = layout.object(p, bytes, 0);
            } catch (IOException e) {
                throw new KernelspecException(file + ": not valid JSON (" + e.getMessage() + ")");
            }
            return layout;
        }

        /** The object whose START_OBJECT is the current token, read to its END_OBJECT. */
        private JsonObjectSpan object(JsonParser p, byte[] bytes, int depth) throws IOException {
            JsonObjectSpan object = new JsonObjectSpan(offset(p));
            MemberSpan last = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                int at = offset(p);
                if (last != null) {
                    last.valueEnd = endBefore(bytes, at);
                }
                String name = p.currentName();
                JsonToken value = p.nextToken();
                MemberSpan member = new MemberSpan(name, at, offset(p));
                object.members.add(member);
                last = member;
                if (value == JsonToken.START_OBJECT && depth == 0 && name.equals("env")) {
                    env = member;
                    envObject = object(p, bytes, 1);
                } else if (value == JsonToken.START_OBJECT && depth == 0 && name.equals("metadata")) {
                    metadata = member;
                    metadataObject = object(p, bytes, 1);
                } else {
                    p.skipChildren();
                }
            }
            object.close = offset(p);
            if (last != null) {
                last.valueEnd = endBefore(bytes, object.close);
            }
            // members of env and metadata are known once their object is
            if (envObject != null && tool == null) {
                for (MemberSpan m : envObject.members) {
                    if (m.name.equals(VARIABLE)) {
                        tool = m;
                    }
                }
            }
            if (metadataObject != null && record == null) {
                for (MemberSpan m : metadataObject.members) {
                    if (m.name.equals(METADATA)) {
                        record = m;
                    }
                }
            }
            return object;
        }

        private static int offset(JsonParser p) {
            return (int) p.currentTokenLocation().getByteOffset();
        }

        /** The end of a value that is followed, after white space and maybe a comma, by {@code next}. */
        private static int endBefore(byte[] bytes, int next) {
            int i = next;
            while (i > 0 && isSpace(bytes[i - 1])) {
                i--;
            }
            if (i > 0 && bytes[i - 1] == ',') {
                i--;
                while (i > 0 && isSpace(bytes[i - 1])) {
                    i--;
                }
            }
            return i;
        }

        private static boolean isSpace(byte b) {
            return b == ' ' || b == '\t' || b == '\n' || b == '\r';
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
