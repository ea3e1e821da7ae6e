package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.Exposition;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.IsolatedKernelMain;
import org.afmetrics.testing.apps.LateKernelMain;
import org.afmetrics.testing.apps.SleepMain;
import org.junit.jupiter.api.Test;

/**
 * The class watcher only where a kernel can be, the weaver only where a kernel class loads: the
 * JVM's own class-load log shows what the agent loads. And a kernel whose classes were loaded
 * before the agent arrived (attach) is hooked through retransformation.
 */
class LazyWeavingIT {
    private static final String BYTE_BUDDY = "org.afmetrics.shaded.bytebuddy.";
    private static final String WATCHER = "org.afmetrics.kernel.KernelClassWatcher ";
    private static final String WEAVER = "org.afmetrics.kernel.Weaver ";

    /** The test kernels' dependencies (basekernel …), as the build wrote them to target/test.classpath. */
    private static String kernelDependencies() throws Exception {
        return Files.readString(Paths.get("target", "test.classpath")).trim();
    }

    private static ChildJvm withKernelClasspath(ChildJvm jvm) throws Exception {
        for (String entry : kernelDependencies().split(":")) {
            jvm.classpath(entry);
        }
        return jvm;
    }

    /** Lets the waiting kernel main go on and connect, and waits until it has. */
    private static void connectKernel(ChildJvm.Running host) throws Exception {
        OutputStream stdin = host.process().getOutputStream();
        stdin.write("go\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        host.awaitStdout(Pattern.compile("kernel connected"), Duration.ofSeconds(60));
    }

    @Test
    void aJvmThatIsNoKernelHasNoClassWatcher() throws Exception {
        ChildJvm.Running r = ChildJvm.main(SleepMain.class, "2000").agent("port=0")
                .jvmOption("-Xlog:class+load=info").run(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("[af-metrics] exporting on"), r.stderr());
        assertFalse(r.stdout().contains(WATCHER), "no kernel class on the class path: no watcher");
        assertFalse(r.stdout().contains(BYTE_BUDDY), "no Byte Buddy class was loaded");
    }

    @Test
    void forcedCellHooksWatchAJvmThatIsNoKernelWithoutWeaving() throws Exception {
        ChildJvm.Running r = ChildJvm.main(SleepMain.class, "2000").agent("port=0,cell-hooks=force")
                .jvmOption("-Xlog:class+load=info").run(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains(WATCHER), "cell-hooks=force installs the watcher");
        assertFalse(r.stdout().contains(WEAVER), "no kernel class loaded: nothing woven");
        assertFalse(r.stdout().contains(BYTE_BUDDY), "no Byte Buddy class was loaded");
    }

    @Test
    void loadingAKernelClassBringsInTheWeaverQuietly() throws Exception {
        ChildJvm.Running r = withKernelClasspath(ChildJvm.main(LateKernelMain.class).agent("port=0")
                .jvmOption("-Xlog:class+load=info")).run(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains(WATCHER), "the kernel's classes are on the class path: the watcher is on");
        assertTrue(r.stdout().contains(BYTE_BUDDY + "jar.asm.ClassReader "), "ASM was loaded for the kernel");
        long byteBuddyClasses = r.stdout().lines().filter(l -> l.contains(BYTE_BUDDY)).count();
        assertTrue(byteBuddyClasses < 40, "only Byte Buddy's ASM, not Byte Buddy: " + byteBuddyClasses + " classes");
        for (String line : r.stderrLines()) {
            assertFalse(line.startsWith("[af-metrics] warning") || line.startsWith("WARNING"), line);
        }
    }

    @Test
    void aKernelInALoaderThatCannotSeeTheAgentIsHookedThroughTheBootstrapBridge() throws Exception {
        String kernelClasspath = Paths.get("target", "test-classes").toAbsolutePath() + ":" + kernelDependencies();
        try (ChildJvm.Running host = ChildJvm.main(IsolatedKernelMain.class).agent("port=0,hotspot=false,cell-hooks=force")
                .jvmOption("-Dkernel.classpath=" + kernelClasspath).jvmOption("-Xlog:class+load=info").start()) {
            String url = host.awaitExporterUrl(Duration.ofSeconds(60));
            host.awaitStdout(Pattern.compile("kernel classes loaded"), Duration.ofSeconds(60));
            connectKernel(host);
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
            AgentCli.Result attach = AgentCli.attach(Long.toString(host.pid()), "port=0,hotspot=false");
            assertEquals(0, attach.exitCode, attach.toString());
            Matcher m = Pattern.compile("exporting on (http://\\S+/metrics)").matcher(attach.stdout);
            assertTrue(m.find(), attach.toString());
            String url = m.group(1);
            assertTrue(Http.scrape(url).named("jupyter_kernel_info").isEmpty(), "no kernel hook ran yet");

            connectKernel(host);
            Exposition.Sample info = Http.scrape(url).find("jupyter_kernel_info");
            assertEquals("basekerneljshell", info.labels.get("kernel"));
            assertEquals("java", info.labels.get("language"));
            assertEquals("2.3.0", info.labels.get("kernel_version"));
        }
    }
}
