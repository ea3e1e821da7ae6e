package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.kernel.HookPoints.HookPoint;
import org.afmetrics.kernel.HookPoints.Role;
import org.afmetrics.kernel.bridge.CellBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weaver on real class files: the kernels' own classes from the test class path pass the
 * JVM's verifier with every hook point woven, and woven methods call the bridge as the roles
 * say while doing exactly what they did.
 */
class WeaverTest {
    private static final String FIXTURE = "org/afmetrics/kernel/WeaverFixture";

    /** What the bridge was told, in order. */
    private final List<String> events = new ArrayList<>();
    private final List<Object> args = new ArrayList<>();

    @AfterEach
    void disconnect() {
        CellBridge.install(null);
    }

    private void listen() {
        CellBridge.install(new BiConsumer<Integer, Object>() {
            @Override
            public void accept(Integer event, Object arg) {
                events.add(String.valueOf(event));
                args.add(arg);
            }
        });
    }

    static Stream<String> kernelClasses() {
        return HookPoints.classes().stream().filter(c -> WeaverTest.class.getClassLoader()
                .getResource(c + ".class") != null).sorted();
    }

    @ParameterizedTest
    @MethodSource("kernelClasses")
    void everyHookPointOfARealKernelClassIsWovenAndTheClassVerifies(String internalName) throws Exception {
        List<HookPoint> points = HookPoints.forInternalName(internalName);
        Set<HookPoint> woven = new HashSet<>();
        byte[] out = Weaver.weave(bytes(internalName), points, woven);
        assertNotNull(out);
        assertEquals(new HashSet<>(points), woven);
        Class<?> c = Class.forName(internalName.replace('/', '.'), false, new OneClassLoader(internalName, out));
        // reflection links the class, and linking runs the verifier over every method
        assertNotNull(c.getDeclaredMethods());
    }

    @Test
    void theRealKernelClassesAreOnTheTestClassPath() {
        assertTrue(kernelClasses().count() >= 4, kernelClasses().collect(Collectors.toList()).toString());
    }

    static Stream<Arguments> cells() {
        return Stream.of(
                Arguments.of("normal", "done", null),
                Arguments.of("early", "early", null),
                Arguments.of("caught", "recovered", null),
                Arguments.of("throw", null, IllegalStateException.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void aCellMethodReportsItsStartAndItsEndWithWhatItThrew(String mode, String expected, Class<?> thrown)
            throws Exception {
        Object fixture = woven(new HookPoint(FIXTURE, "cell", Role.CELL, "(Ljava/lang/String;)Ljava/lang/String;"));
        Method cell = fixture.getClass().getMethod("cell", String.class);
        listen();
        if (thrown == null) {
            assertEquals(expected, cell.invoke(fixture, mode));
        } else {
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> cell.invoke(fixture, mode));
            assertSame(thrown, e.getCause().getClass());
            assertSame(e.getCause(), args.get(1), "the throwable reached the bridge, then the caller");
        }
        assertEquals(List.of(String.valueOf(CellBridge.CELL_START), String.valueOf(CellBridge.CELL_END)), events);
        if (thrown == null) {
            assertNull(args.get(1));
        }
    }

    @Test
    void aResultMethodHandsOnWhatItReturns() throws Exception {
        Object fixture = woven(new HookPoint(FIXTURE, "result", Role.CELL_RESULT, "(Z)Ljava/lang/Object;"));
        Method result = fixture.getClass().getMethod("result", boolean.class);
        listen();
        Object r = result.invoke(fixture, true);
        assertEquals(List.of(String.valueOf(CellBridge.CELL_OUTCOME)), events);
        assertSame(r, args.get(0));
    }

    @Test
    void aWorkersLambdaBodyIsFoundWhateverItsNumberAndReportsOnTheWorkersThread() throws Exception {
        Object fixture = woven(HookPoint.lambdaIn(FIXTURE, "work", Role.CELL_WORK, "([II)V"));
        listen();
        assertEquals(42, fixture.getClass().getMethod("work", int.class).invoke(null, 21));
        assertEquals(List.of(String.valueOf(CellBridge.WORK_START), String.valueOf(CellBridge.WORK_END)), events);
        assertEquals("org.afmetrics.kernel.WeaverFixture.lambda$work$*", HookPoint.lambdaIn(FIXTURE, "work", Role.CELL_WORK, "([II)V").label());
    }

    @Test
    void aStaticEntryNamesItsClass() throws Exception {
        Object fixture = woven(new HookPoint(FIXTURE, "entry", Role.KERNEL_SEEN, "(JD)V"));
        listen();
        fixture.getClass().getMethod("entry", long.class, double.class).invoke(null, 1L, 2.0);
        assertEquals(List.of(String.valueOf(CellBridge.KERNEL)), events);
        assertSame(fixture.getClass(), args.get(0));
    }

    static Stream<Arguments> misfits() {
        return Stream.of(
                Arguments.of("another descriptor", new HookPoint(FIXTURE, "cell", Role.CELL, "(Ljava/lang/Object;)V")),
                Arguments.of("no such method", new HookPoint(FIXTURE, "evaluate", Role.CELL, "(Ljava/lang/String;)Ljava/lang/String;")),
                Arguments.of("static where this is needed", new HookPoint(FIXTURE, "entry", Role.KERNEL_START, "(JD)V")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misfits")
    void aMethodOfAnotherShapeIsLeftAsItIs(String title, HookPoint point) throws Exception {
        Set<HookPoint> woven = new HashSet<>();
        assertNull(Weaver.weave(bytes(FIXTURE), List.of(point), woven));
        assertTrue(woven.isEmpty());
    }

    @Test
    void aClassThatCannotBeWovenLoadsAsItIsAndItsHooksAreFailed() {
        HookStates states = new HookStates();
        KernelClassWatcher watcher = new KernelClassWatcher(new BridgeLocator(null, new BridgeSink(new CellRecorder())),
                states);
        String kotlinExecutor = "org/jetbrains/kotlinx/jupyter/JupyterExecutorImpl";
        byte[] garbage = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 52, 1, 2, 3};
        assertNull(watcher.transform(getClass().getClassLoader(), kotlinExecutor, null, null, garbage));
        for (HookPoint p : HookPoints.forInternalName(kotlinExecutor)) {
            assertEquals(HookStates.State.FAILED, states.state(p), p.label());
        }
        assertEquals(2, states.collect().get(0).samples.size());
    }

    @Test
    void theWatcherSaysWhenEveryHookedClassOfItsKernelHasPassed() throws Exception {
        int[] calls = {0};
        KernelClassWatcher watcher = new KernelClassWatcher(new BridgeLocator(null, new BridgeSink(new CellRecorder())),
                new HookStates(), () -> calls[0]++);
        String kernel = "io/github/spencerpark/jupyter/kernel/BaseKernel";
        String errorReply = "io/github/spencerpark/jupyter/messages/reply/ErrorReply";
        assertNull(watcher.transform(getClass().getClassLoader(), "java/lang/String", null, null, new byte[0]));
        assertNotNull(watcher.transform(getClass().getClassLoader(), kernel, null, null, bytes(kernel)));
        assertEquals(0, calls[0], "ErrorReply, loaded with the first failing cell, is still to come");
        assertNotNull(watcher.transform(getClass().getClassLoader(), errorReply, null, null, bytes(errorReply)));
        assertEquals(1, calls[0]);
    }

    private static Object woven(HookPoint point) throws Exception {
        Set<HookPoint> woven = new HashSet<>();
        byte[] out = Weaver.weave(bytes(FIXTURE), List.of(point), woven);
        assertEquals(Set.of(point), woven);
        Class<?> c = Class.forName(FIXTURE.replace('/', '.'), true, new OneClassLoader(FIXTURE, out));
        return c.getConstructor().newInstance();
    }

    private static byte[] bytes(String internalName) throws IOException {
        try (InputStream in = WeaverTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines one class from the given bytes; everything else comes from the test's class loader. */
    private static final class OneClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        OneClassLoader(String internalName, byte[] bytes) {
            super(WeaverTest.class.getClassLoader());
            this.name = internalName.replace('/', '.');
            this.bytes = bytes;
        }

        @Override
        protected synchronized Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (n.equals(name)) {
                Class<?> c = findLoadedClass(n);
                return c != null ? c : defineClass(n, bytes, 0, bytes.length);
            }
            return super.loadClass(n, resolve);
        }
    }
}
