package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.testing.AgentJar;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.apps.IsolatedKernelMain;
import org.afmetrics.testing.apps.LateKernelMain;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;

/**
 * Byte Buddy only where a kernel is: the JVM's own class-load log shows what the agent loads.
 * And a kernel whose classes were loaded before the agent arrived (attach) is hooked through
 * retransformation.
 */
class LazyWeavingIT {
    private static final String BYTE_BUDDY = "org.afmetrics.shaded.bytebuddy.";

    private static ChildJvm withKernelClasspath(ChildJvm jvm) throws Exception {
        for (String entry : Files.readString(Paths.get("target", "test.classpath")).trim().split(":")) {
            jvm.classpath(entry);
        }
        return jvm;
    }

    @Test
    void aJvmThatIsNoKernelNeverLoadsByteBuddy() throws Exception {
        ChildJvm.Running r = ChildJvm.main(SleepMain.class, "2000").agent("port=0")
                .jvmOption("-Xlog:class+load=info").run(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("[af-metrics] exporting on"), r.stderr());
        assertTrue(r.stdout().contains("org.afmetrics.kernel.KernelClassWatcher"), "the watcher is installed");
        assertFalse(r.stdout().contains(BYTE_BUDDY), "no Byte Buddy class was loaded");
    }

    @Test
    void loadingAKernelClassBringsInTheWeaverQuietly() throws Exception {
        ChildJvm.Running r = withKernelClasspath(ChildJvm.main(LateKernelMain.class).agent("port=0")
                .jvmOption("-Xlog:class+load=info")).run(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains(BYTE_BUDDY + "ByteBuddy "), "Byte Buddy was loaded for the kernel");
        for (String line : r.stderrLines()) {
            assertFalse(line.startsWith("[af-metrics] warning") || line.startsWith("WARNING"), line);
        }
    }

    @Test
    void aKernelInALoaderThatCannotSeeTheAgentIsHookedThroughTheBootstrapBridge() throws Exception {
        String kernelClasspath = Paths.get("target", "test-classes").toAbsolutePath() + ":"
                + Files.readString(Paths.get("target", "test.classpath")).trim();
        try (ChildJvm.Running host = ChildJvm.main(IsolatedKernelMain.class).agent("port=0,hotspot=false")
                .jvmOption("-Dkernel.classpath=" + kernelClasspath).jvmOption("-Xlog:class+load=info").start()) {
            String url = host.awaitExporterUrl(Duration.ofSeconds(60));
            host.awaitStdout(Pattern.compile("kernel classes loaded"), Duration.ofSeconds(60));
            OutputStream stdin = host.process().getOutputStream();
            stdin.write("go\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            host.awaitStdout(Pattern.compile("kernel connected"), Duration.ofSeconds(60));
            Exposition.Sample info = Http.scrape(url).find("jupyter_kernel_info");
            assertEquals("basekerneljshell", info.labels.get("kernel"));
            assertTrue(Pattern.compile("org\\.afmetrics\\.kernel\\.bridge\\.CellBridge source: \\S*af-metrics-bridge-")
                    .matcher(host.stdout()).find(), "the bridge came from the bootstrap addition");
            for (String line : host.stderrLines()) {
                assertFalse(line.startsWith("[af-metrics] warning"), line);
            }
        }
    }

    @Test
    void attachingToARunningKernelHooksItsLoadedClasses() throws Exception {
        try (ChildJvm.Running host = withKernelClasspath(ChildJvm.main(LateKernelMain.class, "connect")).start()) {
            host.awaitStdout(Pattern.compile("kernel classes loaded"), Duration.ofSeconds(60));
            List<String> cmd = new ArrayList<>(List.of(Jdks.java(Jdks.current()), "-jar", AgentJar.path().toString(),
                    "attach", Long.toString(host.pid()), "port=0,hotspot=false"));
            Process attach = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(attach.waitFor(90, TimeUnit.SECONDS));
            assertEquals(0, attach.exitValue(), out);
            Matcher m = Pattern.compile("exporting on (http://\\S+/metrics)").matcher(out);
            assertTrue(m.find(), out);
            String url = m.group(1);
            assertTrue(Http.scrape(url).named("jupyter_kernel_info").isEmpty(), "no kernel hook ran yet");

            OutputStream stdin = host.process().getOutputStream();
            stdin.write("go\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            host.awaitStdout(Pattern.compile("kernel connected"), Duration.ofSeconds(60));
            Exposition.Sample info = Http.scrape(url).find("jupyter_kernel_info");
            assertEquals("basekerneljshell", info.labels.get("kernel"));
            assertEquals("java", info.labels.get("language"));
            assertEquals("2.3.0", info.labels.get("kernel_version"));
        }
    }
}
