package org.afmetrics.facility;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.facility.KernelspecEditor.Change;
import org.afmetrics.facility.KernelspecEditor.KernelspecException;

/**
 * A kernel's own application class-data archive (a JDK dynamic CDS archive): made once from the
 * kernel's argv without the agent ({@code -XX:ArchiveClassesAtExit}), kept beside its kernel.json
 * as {@value #FILE_NAME}, and named in the kernel's argv by two options after argv[0]:
 * {@code -XX:SharedArchiveFile=ARCHIVE} and {@value #QUIET}. The second keeps a JVM that cannot
 * use the archive (missing, made by another JDK, a jar changed since) silent: JDK 17 prints such
 * notes on stdout. The archive is never named in {@code JAVA_TOOL_OPTIONS}, which every JVM the
 * kernel starts would read.
 *
 * <p>What the archive was made from (the JDK, the jars of the class path, its own size and
 * SHA-256) is kept beside it in {@value #RECORD_NAME}, so {@link #state} tells whether the
 * kernel's JVM can still use it. Only the bytes the options need change in kernel.json; taking
 * them out restores the bytes there were.
 */
public final class ClassDataArchive {
    public static final String FILE_NAME = "af-metrics.jsa";
    public static final String RECORD_NAME = FILE_NAME + ".properties";
    static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";
    /** No notes about the archive from the kernel's JVM, whichever JDK it is (11 and later know the tag). */
    public static final String QUIET = "-Xlog:cds*=off";
    /** Dynamic archives came with JDK 13. */
    static final int FIRST_JDK = 13;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?([^\"\\s]+)\"?");

    private ClassDataArchive() {
    }

    public static Path archiveOf(Path kernelJson) {
        return kernelJson.toAbsolutePath().resolveSibling(FILE_NAME);
    }

    public static Path recordOf(Path kernelJson) {
        return kernelJson.toAbsolutePath().resolveSibling(RECORD_NAME);
    }

    // ------------------------------------------------------------------ the argv edit

    /** Whether an argv element is the option that names an af-metrics archive (wherever the kernelspec lies now). */
    static boolean isOurOption(String element) {
        if (!element.startsWith(SHARED_ARCHIVE)) {
            return false;
        }
        String path = element.substring(SHARED_ARCHIVE.length());
        return path.equals(FILE_NAME) || path.endsWith("/" + FILE_NAME) || path.endsWith("\\" + FILE_NAME);
    }

    /** The archive the kernelspec's argv names, or null. */
    public static String namedArchive(ObjectNode spec) {
        for (JsonNode e : spec.path("argv")) {
            if (isOurOption(e.asText(""))) {
                return e.asText().substring(SHARED_ARCHIVE.length());
            }
        }
        return null;
    }

    /**
     * The bytes with the archive's two options right after argv[0], written with the same
     * separator as stands between argv[0] and argv[1] (so one element a line stays one a line);
     * options an earlier install put there are replaced. The same array when nothing changes.
     */
    public static byte[] withArchive(byte[] bytes, Path file, Path archive) throws KernelspecException {
        byte[] without = withoutArchive(bytes, file);
        List<int[]> spans = argvSpans(without, file);
        String sep = spans.size() > 1
                ? new String(without, spans.get(0)[1], spans.get(1)[0] - spans.get(0)[1], StandardCharsets.UTF_8)
                : ", ";
        String insert = sep + quote(SHARED_ARCHIVE + archive.toAbsolutePath().normalize()) + sep + quote(QUIET);
        byte[] out = KernelspecEditor.splice(without, spans.get(0)[1], spans.get(0)[1], insert);
        return Arrays.equals(out, bytes) ? bytes : out;
    }

    /**
     * The bytes without the archive's options: each from the end of the element before it, the
     * inverse of {@link #withArchive}; {@value #QUIET} goes where it follows the archive's option.
     * The same array when argv names no archive of ours.
     */
    public static byte[] withoutArchive(byte[] bytes, Path file) throws KernelspecException {
        List<int[]> spans = argvSpans(bytes, file);
        List<String> values = argvValues(bytes, file);
        for (int i = 1; i < spans.size(); i++) {
            if (isOurOption(values.get(i))) {
                int last = i + 1 < spans.size() && values.get(i + 1).equals(QUIET) ? i + 1 : i;
                return withoutArchive(KernelspecEditor.splice(bytes, spans.get(i - 1)[1], spans.get(last)[1], ""), file);
            }
        }
        return bytes;
    }

    /** Each argv element's literal in the file: [start of its opening quote, end after its closing quote]. */
    static List<int[]> argvSpans(byte[] bytes, Path file) throws KernelspecException {
        List<int[]> spans = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new KernelspecException(file + ": not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("argv") && value == JsonToken.START_ARRAY) {
                    JsonToken t;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t != JsonToken.VALUE_STRING) {
                            throw new KernelspecException(file + ": argv holds something other than strings");
                        }
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        spans.add(new int[] {start, stringEnd(bytes, start)});
                    }
                    break;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            throw new KernelspecException(file + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (spans.isEmpty()) {
            throw new KernelspecException(file + ": has no argv list, so it is no kernelspec");
        }
        return spans;
    }

    private static List<String> argvValues(byte[] bytes, Path file) throws KernelspecException {
        List<String> values = new ArrayList<>();
        for (JsonNode e : KernelspecEditor.parse(bytes, file).path("argv")) {
            values.add(e.asText());
        }
        return values;
    }

    /** The offset after the closing quote of the string literal whose opening quote is at {@code start}. */
    private static int stringEnd(byte[] bytes, int start) {
        int i = start + 1;
        while (bytes[i] != '"') {
            i += bytes[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An install (the agent's change, planned already) with the archive's options added to argv too. */
    public static Change planInstall(Change agent) throws KernelspecException {
        byte[] base = agent.changes() ? agent.after : agent.before;
        byte[] after = withArchive(base, agent.file, archiveOf(agent.file));
        if (after == agent.before) {
            return new Change(agent.file, agent.before, null, agent.what, true);
        }
        String what = agent.changes() ? agent.what + ", class-data archive named in argv"
                : agent.what + "; class-data archive named in argv";
        return new Change(agent.file, agent.before, after, what, true);
    }

    /** A removal (the agent's, planned already) that takes the archive's options out of argv too. */
    public static Change planRemove(Change agent) throws KernelspecException {
        byte[] base = agent.changes() ? agent.after : agent.before;
        byte[] after = withoutArchive(base, agent.file);
        if (after == base) {
            return agent;
        }
        String agentWhat = agent.what;
        Path backup = KernelspecEditor.backupOf(agent.file);
        try {
            if (agent.changes() && Files.isRegularFile(backup) && Arrays.equals(after, Files.readAllBytes(backup))) {
                // the argv options made the agent's part see a file changed since install: it is not
                agentWhat = "agent removed";
            }
        } catch (IOException e) {
            // keep the agent's own words
        }
        String what = agent.changes() ? agentWhat + ", class-data archive taken out of argv"
                : "class-data archive taken out of argv (the agent was not installed)";
        return new Change(agent.file, agent.before, after, what, false);
    }

    /** Deletes the archive and its record beside a kernel.json; says whether there was one. */
    public static boolean delete(Path kernelJson) throws KernelspecException {
        try {
            boolean was = Files.deleteIfExists(archiveOf(kernelJson));
            return Files.deleteIfExists(recordOf(kernelJson)) || was;
        } catch (IOException e) {
            throw new KernelspecException(archiveOf(kernelJson) + ": cannot delete: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ the state

    /** Whether the kernel's JVM uses the archive, in a word, and why not, in a few. */
    public static final class State {
        /** {@code off} (argv names none), {@code in use}, {@code missing}, {@code stale}, {@code damaged}. */
        public final String word;
        public final String detail;

        State(String word, String detail) {
            this.word = word;
            this.detail = detail;
        }

        @Override
        public String toString() {
            return detail == null ? word : word + " (" + detail + ")";
        }
    }

    /**
     * The archive's state for a kernelspec: {@code off} where argv names none; {@code missing}
     * where the file is not there; {@code damaged} where its bytes are not those it was made with;
     * {@code stale} where the kernel's JDK or a jar of its class path is not the one it was made
     * from (the JVM then leaves it unused, silently); else {@code in use}.
     */
    public static State state(Path kernelJson, ObjectNode spec) {
        String named = namedArchive(spec);
        if (named == null) {
            return new State("off", null);
        }
        Path archive = Paths.get(named);
        if (!Files.isRegularFile(archive)) {
            return new State("missing", "remake: kernelspec install NAME --cds");
        }
        Properties record = new Properties();
        Path recordFile = archive.resolveSibling(RECORD_NAME);
        try (InputStream in = Files.newInputStream(recordFile)) {
            record.load(in);
        } catch (IOException e) {
            return new State("stale", "no record of what it was made from");
        }
        try {
            if (Files.size(archive) != Long.parseLong(record.getProperty("archive.size", "-1"))
                    || !sha256(archive).equals(record.getProperty("archive.sha256"))) {
                return new State("damaged", "its bytes changed since it was made");
            }
        } catch (IOException | NumberFormatException e) {
            return new State("damaged", e.getMessage());
        }
        List<String> argv = new ArrayList<>();
        spec.path("argv").forEach(e -> argv.add(e.asText()));
        Jdk jdk = Jdk.of(argv.get(0), env(spec));
        String javaNow = jdk == null ? "?" : jdk.version;
        if (!javaNow.equals(record.getProperty("java.version"))) {
            return new State("stale", "made with JDK " + record.getProperty("java.version") + ", the kernel runs " + javaNow);
        }
        Map<String, String> jarsNow = jars(argv, kernelJson.toAbsolutePath().getParent());
        for (String key : record.stringPropertyNames()) {
            if (key.startsWith("jar.") && !record.getProperty(key).equals(jarsNow.get(key))) {
                return new State("stale", key.substring(4) + " changed since it was made");
            }
        }
        for (String key : jarsNow.keySet()) {
            if (!record.containsKey(key)) {
                return new State("stale", "the class path changed since it was made");
            }
        }
        return new State("in use", null);
    }

    /** The kernelspec's env as a map (strings only). */
    private static Map<String, String> env(ObjectNode spec) {
        Map<String, String> env = new HashMap<>();
        spec.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    /** The jars of the class path argv gives the JVM ({@code -cp}, {@code -classpath}, {@code --class-path}, {@code -jar}): {@code jar.PATH -> size/mtime}. */
    static Map<String, String> jars(List<String> argv, Path resourceDir) {
        Map<String, String> out = new TreeMap<>();
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            String cp = null;
            if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || a.equals("-jar"))
                    && i + 1 < argv.size()) {
                cp = argv.get(++i);
            } else if (a.startsWith("--class-path=")) {
                cp = a.substring("--class-path=".length());
            }
            if (cp != null) {
                for (String entry : cp.replace("{resource_dir}", resourceDir.toString()).split(File.pathSeparator)) {
                    Path p = Paths.get(entry);
                    try {
                        out.put("jar." + entry, Files.isRegularFile(p)
                                ? Files.size(p) + "/" + Files.getLastModifiedTime(p).toMillis() : "absent");
                    } catch (IOException e) {
                        out.put("jar." + entry, "unreadable");
                    }
                }
                if (a.equals("-jar")) {
                    break; // what follows is the program's
                }
            }
            if (!a.startsWith("-")) {
                break; // the main class: what follows is the program's
            }
        }
        return out;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : md.digest()) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    /**
     * The af-metrics archive a running JVM has mapped ({@code /proc/PID/maps}), by path; null where
     * it has none; empty where that cannot be told (no such file, not ours to read).
     */
    public static String mappedBy(long pid) {
        Path maps = Paths.get("/proc", Long.toString(pid), "maps");
        try (java.util.stream.Stream<String> lines = Files.lines(maps, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.endsWith("/" + FILE_NAME)).map(l -> l.substring(l.indexOf('/')))
                    .findFirst().orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------ the JDK

    /** The JDK a kernel's argv[0] starts: its home (real path) and version, from its release file. */
    static final class Jdk {
        final Path home;
        final String version;

        Jdk(Path home, String version) {
            this.home = home;
            this.version = version;
        }

        /** The JDK's feature release (17 for 17.0.15, 8 for 1.8.0_402). */
        int feature() {
            String[] parts = version.split("[._+-]");
            try {
                int first = Integer.parseInt(parts[0]);
                return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /** The JDK of a java command as argv[0] names it (a bare name is looked up on PATH), or null. */
        static Jdk of(String argv0, Map<String, String> specEnv) {
            Path java = resolve(argv0, specEnv.getOrDefault("PATH", System.getenv("PATH")));
            if (java == null) {
                return null;
            }
            try {
                Path home = java.toRealPath().getParent().getParent();
                String release = new String(Files.readAllBytes(home.resolve("release")), StandardCharsets.UTF_8);
                Matcher m = JAVA_VERSION.matcher(release);
                return m.find() ? new Jdk(home, m.group(1)) : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private static Path resolve(String argv0, String path) {
            if (argv0.contains("/") || argv0.contains(File.separator)) {
                Path p = Paths.get(argv0);
                return Files.isExecutable(p) ? p : null;
            }
            if (path == null) {
                return null;
            }
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path p = Paths.get(dir, argv0);
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        return p;
                    }
                }
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ making it

    /** What a make did: the archive, its size, how long it took. */
    public static final class Made {
        public final Path archive;
        public final long bytes;
        public final Duration took;
        public final String java;
        /** What of the kernel's run the archive holds the classes of, in words. */
        public final String of;

        Made(Path archive, long bytes, Duration took, String java, String of) {
            this.archive = archive;
            this.bytes = bytes;
            this.took = took;
            this.java = java;
            this.of = of;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "class-data archive made for JDK %s (%.1f MiB, %.0f s; the classes of %s): %s",
                    java, bytes / 1048576.0, took.toMillis() / 1000.0, of, archive);
        }
    }

    /**
     * Makes the kernel's archive: starts the kernel once from its argv, without the agent (which
     * JDK 17 does not let dump an archive), with {@code -XX:ArchiveClassesAtExit} and a
     * connection file of free loopback ports of its own; waits until it listens, sends it a
     * {@code kernel_info_request} (and, with {@code firstCell}, a trivial cell in its language),
     * each to its reply, with jupyter_client run by the first of {@code pythons} that has it (where
     * none has, nothing is sent and the archive holds the classes of the kernel's start, as the
     * record's {@code classes.of} says), waits until it is idle (its CPU clock stands nearly
     * still), then stops it with SIGTERM, at which the JVM writes the archive. A first cell's
     * classes (the Kotlin kernel's compiler) make the archive about four times as large, and the
     * JVM relocates the whole archive as it starts (JDK 17 and later map it at a random address):
     * about 0.2 s more before the first reply, for a first cell that comes in 0.6 the time. The
     * archive is written beside kernel.json under a temporary name and renamed into place,
     * readable by whoever can read kernel.json and writable by nobody; its record goes beside it.
     * A kernel that does not start, or an archive not written, is an exception, and nothing is
     * left behind.
     */
    public static Made make(Path kernelJson, Duration timeout, boolean firstCell, List<Path> pythons)
            throws KernelspecException {
        Instant t0 = Instant.now();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(kernelJson);
        } catch (IOException e) {
            throw new KernelspecException(kernelJson + ": cannot read (" + e.getMessage() + ")");
        }
        ObjectNode spec = KernelspecEditor.parse(bytes, kernelJson);
        List<String> argv = new ArrayList<>();
        spec.path("argv").forEach(e -> argv.add(e.asText()));
        String base = argv.get(0).substring(Math.max(argv.get(0).lastIndexOf('/'), argv.get(0).lastIndexOf('\\')) + 1);
        if (!base.equals("java") && !base.equals("java.exe")) {
            throw new KernelspecException("--cds: argv[0] is " + argv.get(0) + ", not a java command: the archive "
                    + "goes into the java command's options");
        }
        Map<String, String> specEnv = env(spec);
        Jdk jdk = Jdk.of(argv.get(0), specEnv);
        if (jdk == null) {
            throw new KernelspecException("--cds: cannot tell which JDK " + argv.get(0) + " is (no release file)");
        }
        if (jdk.feature() < FIRST_JDK) {
            throw new KernelspecException("--cds: the kernel runs JDK " + jdk.version + "; class-data archives of an"
                    + " application need JDK " + FIRST_JDK + " or later");
        }
        Path dir = kernelJson.toAbsolutePath().getParent();
        Path archive = archiveOf(kernelJson);
        Path work = null;
        Path partial = dir.resolve("." + FILE_NAME + "." + Long.toHexString(new SecureRandom().nextLong()) + ".tmp");
        try {
            work = Files.createTempDirectory("af-metrics-cds");
            Started started = null;
            for (int attempt = 0; attempt < 2 && started == null; attempt++) {
                started = start(argv, spec, specEnv, dir, work, partial, timeout);
            }
            if (started == null) {
                throw new KernelspecException("--cds: the kernel did not start to make its archive: " + tail(work));
            }
            Process kernel = started.process;
            String language = spec.path("language").asText("");
            String cell = firstCell ? KernelWarmUp.trivialCell(language) : null;
            KernelWarmUp.Outcome warmUp = KernelWarmUp.warmUp(pythons, started.connection, cell, timeout, work);
            String how = !warmUp.answered ? "its start (" + warmUp.why + ")"
                    : cell != null ? "its start, first reply and first cell"
                    : firstCell ? "its start and first reply (no trivial cell known for language '" + language + "')"
                    : "its start and first reply";
            settle(kernel, Duration.ofSeconds(Math.min(60, timeout.getSeconds())));
            kernel.destroy(); // SIGTERM: the JVM writes the archive as it exits
            if (!kernel.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kernel.destroyForcibly();
                throw new KernelspecException("--cds: the kernel did not end within " + timeout.getSeconds()
                        + " s of SIGTERM, so it wrote no archive");
            }
            if (!Files.isRegularFile(partial) || Files.size(partial) < 4096) {
                throw new KernelspecException("--cds: the kernel's JVM wrote no archive: " + tail(work));
            }
            readable(partial, kernelJson);
            Properties record = new Properties();
            record.setProperty("java", jdk.home.toString());
            record.setProperty("java.version", jdk.version);
            record.setProperty("archive.size", Long.toString(Files.size(partial)));
            record.setProperty("archive.sha256", sha256(partial));
            record.setProperty("made", Instant.now().toString());
            record.setProperty("classes.of", how);
            jars(argv, dir).forEach(record::setProperty);
            Path recordTmp = dir.resolve("." + RECORD_NAME + ".tmp");
            try (OutputStream out = Files.newOutputStream(recordTmp)) {
                record.store(out, "What " + FILE_NAME + " was made from (af-metrics kernelspec install --cds)");
            }
            readable(recordTmp, kernelJson);
            move(recordTmp, recordOf(kernelJson));
            long size = Files.size(partial);
            move(partial, archive);
            return new Made(archive, size, Duration.between(t0, Instant.now()), jdk.version, how);
        } catch (IOException e) {
            throw new KernelspecException("--cds: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelspecException("--cds: interrupted");
        } finally {
            try {
                Files.deleteIfExists(partial);
                if (work != null) {
                    deleteTree(work);
                }
            } catch (IOException ignored) {
                // a stray temporary file is all that is left
            }
        }
    }

    /** The kernel started to make the archive: its process and connection file. */
    private static final class Started {
        final Process process;
        final Path connection;

        Started(Process process, Path connection) {
            this.process = process;
            this.connection = connection;
        }
    }

    /**
     * The kernel started to make the archive, once it listens on its shell port; null when it
     * exited first (a port taken between choice and bind: the caller tries once more).
     */
    private static Started start(List<String> argv, ObjectNode spec, Map<String, String> specEnv, Path dir, Path work,
            Path partial, Duration timeout) throws IOException, InterruptedException, KernelspecException {
        int[] ports = freePorts(5);
        Path connection = work.resolve("kernel-af-metrics-cds.json");
        ObjectNode c = JSON.createObjectNode();
        String key = UUID.randomUUID().toString();
        c.put("shell_port", ports[0]).put("iopub_port", ports[1]).put("stdin_port", ports[2])
                .put("control_port", ports[3]).put("hb_port", ports[4]).put("ip", "127.0.0.1")
                .put("key", key).put("transport", "tcp")
                .put("signature_scheme", "hmac-sha256").put("kernel_name", "af-metrics-cds");
        Files.write(connection, JSON.writeValueAsBytes(c));
        List<String> cmd = new ArrayList<>();
        cmd.add(argv.get(0));
        cmd.add("-XX:ArchiveClassesAtExit=" + partial);
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (isOurOption(a) || a.equals(QUIET)) {
                continue;
            }
            cmd.add(a.replace("{connection_file}", connection.toString()).replace("{resource_dir}", dir.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("kernel.log").toFile());
        Map<String, String> env = pb.environment();
        env.remove(KernelspecEditor.VARIABLE);
        env.putAll(specEnv);
        String tool = env.get(KernelspecEditor.VARIABLE);
        if (tool != null) {
            // the archive is of the kernel's classes, and JDK 17 makes none with an agent attached
            String rest = KernelspecEditor.strip(tool, KernelspecEditor.recordedJar(spec)).trim();
            if (rest.isEmpty()) {
                env.remove(KernelspecEditor.VARIABLE);
            } else {
                env.put(KernelspecEditor.VARIABLE, rest);
            }
        }
        Process p = pb.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return null;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[0]), 200);
                return new Started(p, connection);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new KernelspecException("--cds: the kernel did not listen within " + timeout.getSeconds() + " s: "
                + tail(work));
    }

    /** Waits until the process's CPU clock has stood nearly still for a second (its start is over), at most {@code limit}. */
    private static void settle(Process p, Duration limit) throws InterruptedException {
        Path stat = Paths.get("/proc", Long.toString(p.pid()), "stat");
        long deadline = System.nanoTime() + limit.toNanos();
        if (!Files.isReadable(stat)) {
            Thread.sleep(Math.min(5000, limit.toMillis()));
            return;
        }
        long before = cpuTicks(stat);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(1000);
            long now = cpuTicks(stat);
            // under 5 % of a core over the last second (clock ticks are 10 ms)
            if (now - before <= 5) {
                return;
            }
            before = now;
        }
    }

    private static long cpuTicks(Path stat) {
        try {
            String text = new String(Files.readAllBytes(stat), StandardCharsets.UTF_8);
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Loopback ports free now (bound without address reuse, then released). */
    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }

    /** The last lines the kernel wrote while making its archive. */
    private static String tail(Path work) {
        try {
            List<String> lines = Files.readAllLines(work.resolve("kernel.log"), StandardCharsets.UTF_8);
            lines.removeIf(l -> l.contains("[cds]") && l.contains("Skipping"));
            return lines.isEmpty() ? "(it printed nothing)"
                    : String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no output)";
        }
    }

    /** Read-only, for whoever can read kernel.json (so every user a system kernelspec serves). */
    private static void readable(Path file, Path kernelJson) throws IOException {
        try {
            Set<PosixFilePermission> of = Files.getPosixFilePermissions(kernelJson);
            Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
            for (PosixFilePermission r : List.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.OTHERS_READ)) {
                if (of.contains(r)) {
                    perms.add(r);
                }
            }
            perms.add(PosixFilePermission.OWNER_READ);
            Files.setPosixFilePermissions(file, perms);
        } catch (UnsupportedOperationException ignored) {
            // no POSIX permissions here
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        for (Iterator<Path> it = new java.util.ArrayDeque<>(all).descendingIterator(); it.hasNext(); ) {
            Files.deleteIfExists(it.next());
        }
    }
}
