package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.facility.Kernelspecs.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class KernelspecsTest {
    private static final List<Path> SYSTEM = List.of(Paths.get("/usr/local/share/jupyter"), Paths.get("/usr/share/jupyter"));

    @TempDir
    Path dir;

    /** Programs answered from a table: the program's file name and first argument, to its stdout (null: no answer). */
    private static final class FedPrograms implements Kernelspecs.ProgramRunner {
        final Map<String, String> answers = new HashMap<>();
        final List<List<String>> asked = new ArrayList<>();

        FedPrograms answer(String programAndFirstArgument, String stdout) {
            answers.put(programAndFirstArgument, stdout);
            return this;
        }

        @Override
        public String stdout(List<String> command) {
            asked.add(command);
            return answers.get(Paths.get(command.get(0)).getFileName() + " " + command.get(1));
        }
    }

    /** An executable file, for PATH to find; what it does is up to the content. */
    private Path executable(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Kernelspecs kernelspecs(Map<String, String> env, Kernelspecs.ProgramRunner programs) {
        return new Kernelspecs(env::get, "/home/u", "Linux", programs);
    }

    @Test
    void withoutJupyterOnPathJupytersDocumentedOrderStands() {
        Map<String, String> env = Map.of("JUPYTER_PATH", "/a:/b", "XDG_DATA_HOME", "/xdg");
        Kernelspecs k = new Kernelspecs(env::get, "/home/u", "Linux");
        assertEquals(List.of(Paths.get("/a"), Paths.get("/b"), Paths.get("/xdg/jupyter"),
                Paths.get("/usr/local/share/jupyter"), Paths.get("/usr/share/jupyter")), k.dataDirs());
        assertEquals(Paths.get("/home/u/.local/share/jupyter"), new Kernelspecs(n -> null, "/home/u", "Linux").userDataDir());
        assertEquals(Paths.get("/d"), new Kernelspecs(Map.of("JUPYTER_DATA_DIR", "/d")::get, "/home/u", "Linux").userDataDir());
    }

    /**
     * What {@code jupyter --paths --json} prints, and the data directories that follow: its "data"
     * list as it is, in its order, or (anything else) the documented order, here JUPYTER_PATH
     * /jp, the user's /d, the system's.
     */
    static Stream<Arguments> jupyterPathsOutput() {
        List<Path> fallback = Stream.concat(Stream.of(Paths.get("/jp"), Paths.get("/d")), SYSTEM.stream())
                .collect(Collectors.toList());
        return Stream.of(
                Arguments.of("a conda image's jupyter",
                        "{\"runtime\": [\"/r\"], \"config\": [\"/c\"], \"data\": [\"/jp\", \"/d\", \"/opt/conda/share/jupyter\","
                                + " \"/usr/local/share/jupyter\", \"/usr/share/jupyter\"]}",
                        List.of(Paths.get("/jp"), Paths.get("/d"), Paths.get("/opt/conda/share/jupyter"),
                                Paths.get("/usr/local/share/jupyter"), Paths.get("/usr/share/jupyter"))),
                Arguments.of("an environment preferred over the user",
                        "{\"data\": [\"/venv/share/jupyter\", \"/d\", \"/usr/share/jupyter\"]}",
                        List.of(Paths.get("/venv/share/jupyter"), Paths.get("/d"), Paths.get("/usr/share/jupyter"))),
                Arguments.of("with a newline and warnings before the JSON on stderr (not seen)",
                        "{\"data\": [\"/only\"]}\n", List.of(Paths.get("/only"))),
                Arguments.of("no answer (not started, failed, timed out)", null, fallback),
                Arguments.of("junk", "Jupyter command `jupyter-paths` not found.", fallback),
                Arguments.of("JSON without data", "{\"runtime\": [\"/r\"]}", fallback),
                Arguments.of("an empty data list", "{\"data\": []}", fallback),
                Arguments.of("data that is no list of paths", "{\"data\": [\"/x\", 3]}", fallback),
                Arguments.of("data as a string", "{\"data\": \"/x\"}", fallback),
                Arguments.of("a JSON array", "[\"/x\"]", fallback));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jupyterPathsOutput")
    void theDataPathsOfTheJupyterOnPathWinElseTheDocumentedOrder(String name, String output, List<Path> expected)
            throws Exception {
        Path bin = dir.resolve("bin");
        executable(bin.resolve("jupyter"), "#!/bin/sh\nexit 1\n");
        FedPrograms programs = new FedPrograms().answer("jupyter --paths", output);
        Map<String, String> env = Map.of("PATH", bin.toString(), "JUPYTER_PATH", "/jp", "JUPYTER_DATA_DIR", "/d");
        assertEquals(expected, kernelspecs(env, programs).dataDirs());
        assertEquals(List.of(bin.resolve("jupyter").toString(), "--paths", "--json"), programs.asked.get(0));
    }

    @Test
    void theFirstDirectoryJupyterReportsHoldingANameWins() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        for (Path p : List.of(first.resolve("kernels/java"), second.resolve("kernels/java"), second.resolve("kernels/Scala"),
                second.resolve("kernels/empty"))) {
            Files.createDirectories(p);
            if (!p.endsWith("empty")) {
                Files.writeString(p.resolve("kernel.json"), "{}");
            }
        }
        executable(dir.resolve("bin/jupyter"), "");
        FedPrograms programs = new FedPrograms().answer("jupyter --paths",
                "{\"data\": [\"" + dir.resolve("missing") + "\", \"" + first + "\", \"" + second + "\"]}");
        Map<String, Path> found = kernelspecs(Map.of("PATH", dir.resolve("bin").toString()), programs).find();
        assertEquals(first.resolve("kernels/java/kernel.json"), found.get("java"));
        assertEquals(second.resolve("kernels/Scala/kernel.json"), found.get("scala"), "names are lower case, as in Jupyter");
        assertNull(found.get("empty"), "a directory without kernel.json is no kernelspec");
        assertEquals(List.of("java", "scala"), new ArrayList<>(found.keySet()));
    }

    /**
     * Without an answer from {@code jupyter}, the environment's {@code {sys.prefix}/share/jupyter}
     * comes after the user's directory (before it with JUPYTER_PREFER_ENV_PATH), and not at all
     * where it is a system directory. Rows: variables (k=v;k=v), the directories.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "VIRTUAL_ENV=/venv                                   | /d, /venv/share/jupyter, SYSTEM",
        "CONDA_PREFIX=/opt/conda                             | /d, /opt/conda/share/jupyter, SYSTEM",
        "VIRTUAL_ENV=/venv;CONDA_PREFIX=/opt/conda           | /d, /venv/share/jupyter, SYSTEM",
        "VIRTUAL_ENV=/venv;JUPYTER_PREFER_ENV_PATH=1         | /venv/share/jupyter, /d, SYSTEM",
        "VIRTUAL_ENV=/venv;JUPYTER_PREFER_ENV_PATH=no        | /d, /venv/share/jupyter, SYSTEM",
        "VIRTUAL_ENV=/usr                                    | /d, SYSTEM",
        "VIRTUAL_ENV=relative                                | /d, SYSTEM",
        "JUPYTER_PATH=/a::/b;VIRTUAL_ENV=/venv               | /a, /b, /d, /venv/share/jupyter, SYSTEM",
        "X=1                                                 | /d, SYSTEM",
    })
    void theEnvironmentsDirectoryTakesItsDocumentedPlace(String variables, String expected) {
        Map<String, String> env = new HashMap<>(Map.of("JUPYTER_DATA_DIR", "/d"));
        for (String kv : variables.split(";")) {
            env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : expected.split(",\\s*")) {
            if (d.equals("SYSTEM")) {
                dirs.addAll(SYSTEM);
            } else {
                dirs.add(Paths.get(d));
            }
        }
        assertEquals(dirs, kernelspecs(env, new FedPrograms()).dataDirs());
    }

    /**
     * Whose {@code sys.prefix} --sys-prefix means. Rows: what is on PATH (jupyter with a Python
     * beside it, jupyter whose first line names a Python elsewhere, python3 alone, nothing), the
     * variables, the Pythons that answer (file name, its prefix), the prefix.
     */
    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "jupyter+python3 beside      | VIRTUAL_ENV=/other | python3=/envs/a     | /envs/a",
        "jupyter+python3 beside      | -                  | -                   | -",
        "jupyter naming python3.11   | CONDA_PREFIX=/c    | python3.11=/envs/b  | /envs/b",
        "jupyter naming python3.11   | CONDA_PREFIX=/c    | -                   | /c",
        "jupyter via env python3     | -                  | python3=/envs/e     | /envs/e",
        "python3 alone               | VIRTUAL_ENV=/v     | python3=/envs/p     | /v",
        "python3 alone               | -                  | python3=/envs/p     | /envs/p",
        "python3 alone               | -                  | python3=not-a-path  | -",
        "nothing                     | CONDA_PREFIX=/c    | -                   | /c",
        "nothing                     | -                  | -                   | -",
    })
    void sysPrefixIsThatOfThePythonBehindJupyterElseTheActiveEnvironment(String onPath, String variable, String answer,
            String expected) throws Exception {
        Path bin = dir.resolve("bin");
        Path elsewhere = dir.resolve("elsewhere");
        Files.createDirectories(bin);
        switch (onPath.trim()) {
            case "jupyter+python3 beside":
                executable(bin.resolve("jupyter"), "#!/bin/sh\n");
                executable(bin.resolve("python3"), "");
                break;
            case "jupyter naming python3.11":
                executable(elsewhere.resolve("python3.11"), "");
                executable(bin.resolve("jupyter"), "#!" + elsewhere.resolve("python3.11") + " -I\n# -*- coding: utf-8 -*-\n");
                break;
            case "jupyter via env python3":
                executable(elsewhere.resolve("python3"), "");
                executable(bin.resolve("jupyter"), "#!/usr/bin/env python3\n");
                break;
            case "python3 alone":
                executable(bin.resolve("python3"), "");
                break;
            default:
                break;
        }
        Map<String, String> env = new HashMap<>(Map.of("PATH", bin + ":" + elsewhere));
        if (variable != null) {
            env.put(variable.substring(0, variable.indexOf('=')), variable.substring(variable.indexOf('=') + 1));
        }
        FedPrograms programs = new FedPrograms();
        if (answer != null) {
            programs.answer(answer.substring(0, answer.indexOf('=')) + " -c", answer.substring(answer.indexOf('=') + 1) + "\n");
        }
        Kernelspecs k = kernelspecs(env, programs);
        assertEquals(Optional.ofNullable(expected).map(Paths::get), k.sysPrefix());
        if (expected == null) {
            assertThrows(Kernelspecs.UnknownPlaceException.class, () -> k.dataDirs(Scope.sysPrefix()));
        } else {
            assertEquals(List.of(Paths.get(expected, "share", "jupyter")), k.dataDirs(Scope.sysPrefix()));
        }
    }

    @Test
    void thePythonsForJupyterClientAreThoseBehindJupyterThenTheFallbackThenPython3() throws Exception {
        Path bin = dir.resolve("bin");
        Path elsewhere = dir.resolve("elsewhere");
        Path fallback = executable(dir.resolve("usr").resolve("python3"), "");
        executable(bin.resolve("jupyter"), "#!" + elsewhere.resolve("python3.11") + "\n");
        executable(bin.resolve("python3"), "");
        executable(elsewhere.resolve("python3.11"), "");
        Kernelspecs k = kernelspecs(Map.of("PATH", bin.toString()), new FedPrograms());
        assertEquals(List.of(bin.resolve("python3"), elsewhere.resolve("python3.11"), fallback), k.jupyterPythons(fallback));
        assertEquals(List.of(bin.resolve("python3"), elsewhere.resolve("python3.11")),
                k.jupyterPythons(dir.resolve("nowhere")), "a fallback that is not there is left out");
        Kernelspecs noJupyter = kernelspecs(Map.of("PATH", elsewhere + ":" + bin.resolve("none")), new FedPrograms());
        assertEquals(List.of(fallback), noJupyter.jupyterPythons(fallback));
        assertEquals(List.of(), kernelspecs(Map.of("PATH", dir.resolve("empty").toString()), new FedPrograms())
                .jupyterPythons(null));
    }

    /** Rows: the scope, the one directory it searches. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--user          | /d",
        "--prefix /p     | /p/share/jupyter",
        "--prefix /p/x/.. | /p/share/jupyter",
        "--sys-prefix    | /envs/a/share/jupyter",
        "(none)          | /jp, /d, /envs/a/share/jupyter, /usr/local/share/jupyter, /usr/share/jupyter",
    })
    void aScopeSearchesTheOneDirectoryItNames(String option, String expected) throws Exception {
        Path bin = dir.resolve("bin");
        executable(bin.resolve("jupyter"), "");
        executable(bin.resolve("python3"), "");
        FedPrograms programs = new FedPrograms().answer("python3 -c", "/envs/a\n");
        Kernelspecs k = kernelspecs(Map.of("PATH", bin.toString(), "JUPYTER_PATH", "/jp", "JUPYTER_DATA_DIR", "/d"),
                programs);
        String[] words = option.trim().split(" ");
        Scope scope = words[0].equals("--user") ? Scope.user() : words[0].equals("--prefix") ? Scope.prefix(Paths.get(words[1]))
                : words[0].equals("--sys-prefix") ? Scope.sysPrefix() : Scope.searchPath();
        assertEquals(Arrays.stream(expected.split(",\\s*")).map(Paths::get).collect(Collectors.toList()), k.dataDirs(scope));
    }

    /**
     * The real thing: {@code jupyter} scripts run as processes. Rows: the script's body, the data
     * directories (FALLBACK: JUPYTER_PATH /jp, the user's /d, the system's).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "prints the JSON          | printf '{\"data\": [\"/from/jupyter\"]}'                | /from/jupyter",
        "prints the JSON, exits 1 | printf '{\"data\": [\"/from/jupyter\"]}'; exit 1       | FALLBACK",
        "prints junk              | echo 'usage: jupyter [-h]'                             | FALLBACK",
        "prints only on stderr    | echo '{\"data\": [\"/x\"]}' >&2                           | FALLBACK",
        "hangs                    | sleep 30                                               | FALLBACK",
        "hangs in a child         | sh -c 'sleep 30' & wait                                | FALLBACK",
    })
    void aJupyterThatFailsHangsOrPrintsJunkGivesTheDocumentedOrder(String name, String body, String expected)
            throws Exception {
        Path bin = dir.resolve("bin");
        executable(bin.resolve("jupyter"), "#!/bin/sh\n" + body + "\n");
        Kernelspecs k = new Kernelspecs(Map.of("PATH", bin.toString(), "JUPYTER_PATH", "/jp", "JUPYTER_DATA_DIR", "/d")::get,
                "/home/u", "Linux", Kernelspecs.processes(Duration.ofMillis(1500)));
        long start = System.nanoTime();
        List<Path> dirs = k.dataDirs();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        List<Path> fallback = new ArrayList<>(List.of(Paths.get("/jp"), Paths.get("/d")));
        fallback.addAll(SYSTEM);
        assertEquals(expected.equals("FALLBACK") ? fallback : List.of(Paths.get(expected)), dirs);
        assertTrue(tookMillis < 6_000, "the timeout bounds the wait, twice at most (jupyter, then a Python): " + tookMillis);
    }

    @Test
    void aProgramThatOutlastsItsTimeIsKilledWithWhatItStarted() throws Exception {
        Path marker = dir.resolve("child.pid");
        Path script = executable(dir.resolve("slow"), "#!/bin/sh\nsleep 60 &\necho $! > " + marker + "\nwait\n");
        assertNull(Kernelspecs.processes(Duration.ofMillis(800)).stdout(List.of(script.toString())));
        long child = Long.parseLong(Files.readString(marker).trim());
        Optional<ProcessHandle> handle = ProcessHandle.of(child);
        assertTrue(handle.isEmpty() || handle.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS) != null,
                "the sleep it started is gone too");
        assertNull(Kernelspecs.processes(Duration.ofSeconds(5)).stdout(List.of(dir.resolve("no-such-program").toString())));
        assertEquals("a b\n", Kernelspecs.processes(Duration.ofSeconds(5)).stdout(List.of("/bin/echo", "a", "b")));
    }
}
