package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.ReshapedKernelMain;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A kernel version whose hook methods are gone or reshaped (as after an upgrade): the class is
 * compiled here under the hooked name, loaded by a host with the agent, and the agent says so —
 * one {@code [af-metrics]} line per missing hook naming class and method, and
 * {@code afmetrics_kernel_hooks{state="missing"}} — while the host's output and exit code stay
 * what they are without the agent. The hook points still in shape are woven.
 */
class ReshapedHooksIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static Stream<Arguments> reshaped() {
        return Stream.of(
                Arguments.of("Kotlin executor whose runExecution takes and returns a String",
                        "org.jetbrains.kotlinx.jupyter.JupyterExecutorImpl",
                        "package org.jetbrains.kotlinx.jupyter;\n"
                                + "public class JupyterExecutorImpl {\n"
                                + "  public String runExecution(String code) { return code.toUpperCase(); }\n"
                                + "  public void interruptExecutions() { }\n"
                                + "}\n",
                        "runExecution", List.of("JupyterExecutorImpl.runExecution"),
                        List.of("JupyterExecutorImpl.interruptExecutions")),
                Arguments.of("basekernel ErrorReply without its factory method",
                        "io.github.spencerpark.jupyter.messages.reply.ErrorReply",
                        "package io.github.spencerpark.jupyter.messages.reply;\n"
                                + "public class ErrorReply {\n"
                                + "  public static String describe(String e) { return \"error: \" + e; }\n"
                                + "}\n",
                        "describe", List.of("ErrorReply.of"), List.of()),
                Arguments.of("Kotlin protocol functions renamed and reshaped",
                        "org.jetbrains.kotlinx.jupyter.messaging.ProtocolKt",
                        "package org.jetbrains.kotlinx.jupyter.messaging;\n"
                                + "public final class ProtocolKt {\n"
                                + "  public static String evalWithIO(String code) { return \"ran \" + code; }\n"
                                + "  public static void handleShellMessages(Object m) { }\n"
                                + "}\n",
                        "evalWithIO", List.of("ProtocolKt.shellMessagesHandler", "ProtocolKt.evalWithIO"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reshaped")
    void aReshapedHookIsReportedMissingAndTheHostRunsAsWithoutTheAgent(String title, String className,
            String source, String method, List<String> missing, List<String> woven, @TempDir Path dir)
            throws Exception {
        Path classes = compile(dir, className, source);

        ChildJvm.Running bare = host(classes, method, null);
        String bareOut = finish(bare);

        ChildJvm.Running hosted = host(classes, method, "port=0,hotspot=false");
        String url = hosted.awaitExporterUrl(TIMEOUT);
        hosted.awaitStdout(Pattern.compile("waiting"), TIMEOUT);
        Exposition metrics = Http.scrape(url);
        String hostedOut = finish(hosted);

        assertEquals(bareOut, hostedOut, "the host's output");
        assertEquals(3, bare.exitCode(), bare.stderr());
        assertEquals(3, hosted.exitCode(), hosted.stderr());

        // beside a basekernel class the agent also hooks the JDK's JShell engine, which this host
        // never loads as a kernel would: only the kernel's own hook points are asked after here
        Map<String, String> states = metrics.named("afmetrics_kernel_hooks").stream()
                .filter(s -> !s.labels.get("hook").startsWith("jdk.jshell."))
                .collect(Collectors.toMap(s -> s.labels.get("hook"), s -> s.labels.get("state")));
        String pkg = className.substring(0, className.lastIndexOf('.') + 1);
        for (String hook : missing) {
            String qualified = pkg + hook;
            assertEquals("missing", states.get(qualified), qualified + " in " + states);
            List<String> lines = hosted.stderrLines().stream().filter(l -> l.contains(qualified))
                    .collect(Collectors.toList());
            assertEquals(1, lines.size(), "one line naming " + qualified + ":\n" + hosted.stderr());
            assertTrue(lines.get(0).startsWith("[af-metrics] warning: cell hook missing: "), lines.get(0));
        }
        for (String hook : woven) {
            assertEquals("woven", states.get(pkg + hook), pkg + hook + " in " + states);
        }
        assertEquals(missing.size() + woven.size(), states.size(), states.toString());
        List<String> agentLines = hosted.stderrLines().stream().filter(l -> l.startsWith("[af-metrics] warning"))
                .collect(Collectors.toList());
        assertEquals(missing.size(), agentLines.size(), hosted.stderr());
    }

    private static Path compile(Path dir, String className, String source) throws Exception {
        Path src = dir.resolve("src").resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path out = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "--release", "11", "-d", out.toString(), src.toString()));
        return out;
    }

    private static ChildJvm.Running host(Path classes, String method, String agentArgs) throws Exception {
        String className;
        try (Stream<Path> files = Files.walk(classes)) {
            className = classes.relativize(files.filter(f -> f.toString().endsWith(".class")).findFirst()
                    .orElseThrow()).toString().replace('/', '.').replaceAll("\\.class$", "");
        }
        ChildJvm jvm = ChildJvm.main(ReshapedKernelMain.class, className, method, "cell").classpath(classes.toString());
        if (agentArgs != null) {
            jvm.agent(agentArgs);
        }
        return jvm.start();
    }

    /** Lets the waiting host exit; returns its stdout. */
    private static String finish(ChildJvm.Running host) throws Exception {
        host.awaitStdout(Pattern.compile("waiting"), TIMEOUT);
        OutputStream stdin = host.process().getOutputStream();
        stdin.write("go\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        host.awaitExit(TIMEOUT);
        return host.stdout();
    }
}
