package org.afmetrics.facility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The kernelspecs Jupyter sees, found where Jupyter looks: the data directories of the
 * {@code jupyter} on {@code PATH} ({@code jupyter --paths --json}), each with a
 * {@code kernels/NAME/kernel.json}; the first directory holding a name wins, as in Jupyter. Where
 * that {@code jupyter} is missing or gives no answer, Jupyter's documented order stands in:
 * {@code JUPYTER_PATH}, the user's data directory, {@code {sys.prefix}/share/jupyter} of the
 * environment, then the system directories. A {@link Scope} narrows the search to one directory,
 * as {@code jupyter kernelspec install --user|--sys-prefix|--prefix} writes to one.
 */
public final class Kernelspecs {
    /** Long enough for a cold Python start on a busy node, short enough that a hung one is not waited for. */
    public static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Path> UNIX_SYSTEM_DIRS = Collections.unmodifiableList(Arrays.asList(
            Paths.get("/usr/local/share/jupyter"), Paths.get("/usr/share/jupyter")));
    /** More than any {@code jupyter --paths} or {@code sys.prefix} prints; the rest is not read. */
    private static final int MAX_OUTPUT = 1 << 20;

    private final Function<String, String> env;
    private final String userHome;
    private final String osName;
    private final ProgramRunner programs;

    /**
     * Runs a program to its end with stdin closed and stderr ignored: its stdout, or null when it
     * cannot be started, exits with a status other than 0, or outlasts its time.
     */
    @FunctionalInterface
    public interface ProgramRunner {
        String stdout(List<String> command);
    }

    /** Which data directories to search: Jupyter's search path, or one directory as install's options name it. */
    public static final class Scope {
        private enum Kind { SEARCH_PATH, USER, SYS_PREFIX, PREFIX }

        private final Kind kind;
        private final Path prefix;

        private Scope(Kind kind, Path prefix) {
            this.kind = kind;
            this.prefix = prefix;
        }

        /** Every directory Jupyter searches, in its order. */
        public static Scope searchPath() {
            return new Scope(Kind.SEARCH_PATH, null);
        }

        /** The user's data directory only ({@code --user}). */
        public static Scope user() {
            return new Scope(Kind.USER, null);
        }

        /** {@code {sys.prefix}/share/jupyter} of the Python behind {@code jupyter} only ({@code --sys-prefix}). */
        public static Scope sysPrefix() {
            return new Scope(Kind.SYS_PREFIX, null);
        }

        /** {@code DIR/share/jupyter} only ({@code --prefix DIR}). */
        public static Scope prefix(Path dir) {
            return new Scope(Kind.PREFIX, dir);
        }

        public boolean isSearchPath() {
            return kind == Kind.SEARCH_PATH;
        }
    }

    /** No directory for the scope asked for; the message says what was missing. */
    public static final class UnknownPlaceException extends Exception {
        UnknownPlaceException(String message) {
            super(message);
        }
    }

    public Kernelspecs(Function<String, String> env, String userHome, String osName, ProgramRunner programs) {
        this.env = env;
        this.userHome = userHome;
        this.osName = osName.toLowerCase(Locale.ROOT);
        this.programs = programs;
    }

    public Kernelspecs(Function<String, String> env, String userHome, String osName) {
        this(env, userHome, osName, processes(PROGRAM_TIMEOUT));
    }

    public static Kernelspecs forThisUser() {
        return new Kernelspecs(System::getenv, System.getProperty("user.home"), System.getProperty("os.name", ""));
    }

    /** The data directories of a scope, in Jupyter's order of precedence. */
    public List<Path> dataDirs(Scope scope) throws UnknownPlaceException {
        switch (scope.kind) {
            case USER:
                return Collections.singletonList(userDataDir());
            case PREFIX:
                return Collections.singletonList(scope.prefix.toAbsolutePath().normalize().resolve("share").resolve("jupyter"));
            case SYS_PREFIX:
                return Collections.singletonList(sysPrefix().orElseThrow(() -> new UnknownPlaceException(
                        "cannot tell the environment's sys.prefix: no jupyter or python3 on PATH answered, and"
                                + " neither VIRTUAL_ENV nor CONDA_PREFIX is set; give --prefix DIR instead"))
                        .resolve("share").resolve("jupyter"));
            default:
                return dataDirs();
        }
    }

    /** Jupyter's search path: what the {@code jupyter} on PATH reports, else its documented defaults. */
    public List<Path> dataDirs() {
        List<Path> reported = reportedDataDirs();
        return reported != null ? reported : defaultDataDirs();
    }

    /**
     * The "data" list of {@code jupyter --paths --json} from the {@code jupyter} on PATH, or null
     * when there is none, it fails, or it prints anything but that JSON.
     */
    List<Path> reportedDataDirs() {
        Path jupyter = onPath("jupyter");
        if (jupyter == null) {
            return null;
        }
        String out = programs.stdout(Arrays.asList(jupyter.toString(), "--paths", "--json"));
        if (out == null) {
            return null;
        }
        try {
            JsonNode data = JSON.readTree(out).path("data");
            if (!data.isArray() || data.size() == 0) {
                return null;
            }
            List<Path> dirs = new ArrayList<>();
            for (JsonNode d : data) {
                if (!d.isTextual() || d.asText().isEmpty()) {
                    return null;
                }
                dirs.add(Paths.get(d.asText()));
            }
            return dirs;
        } catch (IOException | InvalidPathException e) {
            return null;
        }
    }

    /**
     * Jupyter's documented order: {@code JUPYTER_PATH}, the user's data directory, the
     * environment's {@code {sys.prefix}/share/jupyter} (before the user's with
     * {@code JUPYTER_PREFER_ENV_PATH}), the system directories.
     */
    List<Path> defaultDataDirs() {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        String jp = env.apply("JUPYTER_PATH");
        if (jp != null) {
            for (String p : jp.split(File.pathSeparator)) {
                if (!p.trim().isEmpty()) {
                    dirs.add(Paths.get(p.trim()));
                }
            }
        }
        List<Path> system = systemDataDirs();
        Path envDir = sysPrefix().map(p -> p.resolve("share").resolve("jupyter")).filter(p -> !system.contains(p))
                .orElse(null);
        if (envDir != null && flagSet("JUPYTER_PREFER_ENV_PATH")) {
            dirs.add(envDir);
        }
        dirs.add(userDataDir());
        if (envDir != null) {
            dirs.add(envDir);
        }
        dirs.addAll(system);
        return new ArrayList<>(dirs);
    }

    private List<Path> systemDataDirs() {
        if (osName.contains("win")) {
            String programData = env.apply("PROGRAMDATA");
            return programData != null ? Collections.singletonList(Paths.get(programData, "jupyter"))
                    : Collections.emptyList();
        }
        return UNIX_SYSTEM_DIRS;
    }

    /** Set to anything but Jupyter's words for no, as jupyter_core reads its flags. */
    private boolean flagSet(String name) {
        String value = env.apply(name);
        return value != null && !Arrays.asList("no", "n", "false", "off", "0", "0.0")
                .contains(value.toLowerCase(Locale.ROOT));
    }

    /** Where {@code jupyter kernelspec install --user} puts kernels. */
    public Path userDataDir() {
        String explicit = env.apply("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.trim().isEmpty()) {
            return Paths.get(explicit.trim());
        }
        if (osName.contains("mac")) {
            return Paths.get(userHome, "Library", "Jupyter");
        }
        if (osName.contains("win")) {
            String appData = env.apply("APPDATA");
            return appData != null ? Paths.get(appData, "jupyter") : Paths.get(userHome, "AppData", "Roaming", "jupyter");
        }
        String xdg = env.apply("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.trim().isEmpty() ? Paths.get(xdg.trim()) : Paths.get(userHome, ".local", "share");
        return base.resolve("jupyter");
    }

    /**
     * The environment's {@code sys.prefix}, where {@code jupyter kernelspec install --sys-prefix}
     * writes: that of the Python running the {@code jupyter} on PATH (the Python beside it, as in
     * a venv or conda environment, else the one its first line names), else the active
     * environment's ({@code VIRTUAL_ENV}, {@code CONDA_PREFIX}), else that of the
     * {@code python3} on PATH.
     */
    public Optional<Path> sysPrefix() {
        Path jupyter = onPath("jupyter");
        if (jupyter != null) {
            for (Path python : pythonsBehind(jupyter)) {
                Path prefix = askSysPrefix(python);
                if (prefix != null) {
                    return Optional.of(prefix);
                }
            }
        }
        for (String variable : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String value = env.apply(variable);
            if (value != null && !value.trim().isEmpty() && Paths.get(value.trim()).isAbsolute()) {
                return Optional.of(Paths.get(value.trim()));
            }
        }
        for (String name : new String[] {"python3", "python"}) {
            Path python = onPath(name);
            Path prefix = python == null ? null : askSysPrefix(python);
            if (prefix != null) {
                return Optional.of(prefix);
            }
        }
        return Optional.empty();
    }

    /**
     * The Pythons that may have jupyter_client, in the order to try them, each once: those behind
     * the {@code jupyter} on PATH (beside it, then the one its first line names), then
     * {@code fallback} (null: none), then the {@code python3} on PATH. Only executable files.
     */
    public List<Path> jupyterPythons(Path fallback) {
        LinkedHashSet<Path> out = new LinkedHashSet<>();
        Path jupyter = onPath("jupyter");
        if (jupyter != null) {
            out.addAll(pythonsBehind(jupyter));
        }
        if (fallback != null && isExecutable(fallback)) {
            out.add(fallback);
        }
        Path python3 = onPath("python3");
        if (python3 != null) {
            out.add(python3);
        }
        return new ArrayList<>(out);
    }

    /** The Pythons that may run a {@code jupyter} script: those beside it, then its interpreter line's. */
    private List<Path> pythonsBehind(Path jupyter) {
        List<Path> out = new ArrayList<>();
        for (String name : new String[] {"python3", "python", "python.exe"}) {
            Path beside = jupyter.resolveSibling(name);
            if (isExecutable(beside)) {
                out.add(beside);
            }
        }
        Path interpreter = interpreterLine(jupyter);
        if (interpreter != null && !out.contains(interpreter)) {
            out.add(interpreter);
        }
        return out;
    }

    /** The Python a script's {@code #!} line names, directly or through {@code env}; null for none. */
    private Path interpreterLine(Path script) {
        byte[] head = new byte[256];
        int n;
        try (InputStream in = Files.newInputStream(script)) {
            n = in.read(head);
        } catch (IOException e) {
            return null;
        }
        if (n < 2 || head[0] != '#' || head[1] != '!') {
            return null;
        }
        String line = new String(head, 2, n - 2, StandardCharsets.UTF_8).split("\n", 2)[0].trim();
        String[] words = line.split("\\s+");
        try {
            Path program = Paths.get(words[0]);
            if (String.valueOf(program.getFileName()).equals("env") && words.length > 1) {
                program = words[1].startsWith("python") ? onPath(words[1]) : null;
            } else if (!String.valueOf(program.getFileName()).startsWith("python")) {
                program = null;
            }
            return program != null && isExecutable(program) ? program : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private Path askSysPrefix(Path python) {
        String out = programs.stdout(Arrays.asList(python.toString(), "-c", "import sys; print(sys.prefix)"));
        if (out == null) {
            return null;
        }
        String line = out.trim();
        try {
            return !line.isEmpty() && !line.contains("\n") && Paths.get(line).isAbsolute() ? Paths.get(line) : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** The first executable of that name in a directory of {@code PATH}, or null. */
    private Path onPath(String name) {
        String path = env.apply("PATH");
        if (path == null) {
            return null;
        }
        boolean windows = osName.contains("win");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.trim().isEmpty()) {
                continue;
            }
            for (String file : windows ? new String[] {name + ".exe", name} : new String[] {name}) {
                try {
                    Path candidate = Paths.get(dir.trim(), file);
                    if (isExecutable(candidate)) {
                        return candidate;
                    }
                } catch (InvalidPathException e) {
                    // an entry of PATH that names no directory here
                }
            }
        }
        return null;
    }

    private static boolean isExecutable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }

    /** Kernel name to its kernel.json in Jupyter's search path, first directory winning. */
    public Map<String, Path> find() {
        return find(dataDirs());
    }

    /** Kernel name to its kernel.json in a scope's directories, first directory winning. */
    public Map<String, Path> find(Scope scope) throws UnknownPlaceException {
        return find(dataDirs(scope));
    }

    private static Map<String, Path> find(List<Path> dataDirs) {
        Map<String, Path> found = new LinkedHashMap<>();
        for (Path data : dataDirs) {
            Path kernels = data.resolve("kernels");
            if (!Files.isDirectory(kernels)) {
                continue;
            }
            List<Path> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(kernels)) {
                ds.forEach(names::add);
            } catch (IOException e) {
                continue;
            }
            names.sort(null);
            for (Path k : names) {
                Path json = k.resolve("kernel.json");
                String name = k.getFileName().toString().toLowerCase(Locale.ROOT);
                if (Files.isRegularFile(json)) {
                    found.putIfAbsent(name, json);
                }
            }
        }
        return found;
    }

    /**
     * Runs programs as {@link ProgramRunner} says, each given {@code timeout}: one that outlasts it
     * is killed with what it started, and counts as no answer.
     */
    public static ProgramRunner processes(Duration timeout) {
        return command -> {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException | RuntimeException e) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // read while it runs: a program writing more than the pipe holds would otherwise never end
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        if (out.size() < MAX_OUTPUT) {
                            out.write(buffer, 0, Math.min(n, MAX_OUTPUT - out.size()));
                        }
                    }
                } catch (IOException e) {
                    // the process was killed, or closed its output: what was read is all there is
                }
            }, "af-metrics-program-output");
            reader.setDaemon(true);
            reader.start();
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // it ended already, or reads nothing: either way it gets no input
            }
            try {
                java.util.OptionalInt status = TimedProcess.await(process, timeout);
                if (status.isEmpty()) {
                    return null;
                }
                // a child it left behind may still hold the pipe open: wait no longer than a moment
                reader.join(1000);
                if (status.getAsInt() != 0 || reader.isAlive()) {
                    return null;
                }
                return new String(out.toByteArray(), StandardCharsets.UTF_8);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        };
    }
}
