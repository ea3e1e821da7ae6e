package org.afmetrics.kernel;

import io.prometheus.client.Collector;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.identity.Identity;
import org.afmetrics.support.Log;

/**
 * Cell metrics in JVM kernels: the agent's entry to this package. {@link #install} runs in
 * premain/agentmain and only registers a class-name watcher, and at JVM start only where a
 * hooked kernel can appear ({@link KernelPresence}); the weaving follows when a kernel class
 * is actually loaded. {@link #attach} joins the recorder and the hooks' states to the exporter's
 * registry, whichever of the two happens first.
 */
public final class KernelHooks {
    private static final HookStates HOOK_STATES = new HookStates();
    private static final java.util.concurrent.CountDownLatch KERNEL_KNOWN = new java.util.concurrent.CountDownLatch(1);
    private static volatile LabelledRegistry registry;
    private static volatile KernelClassWatcher watcher;

    private KernelHooks() {
    }

    public static CellRecorder recorder() {
        return Recording.RECORDER;
    }

    /**
     * The recorder and its metrics, built on first use: not in premain, where building them (the
     * metric classes, name checks) would hold up the kernel's main. The agent's starter thread
     * builds them while the kernel starts; a hook that comes first builds them itself (the JVM's
     * class initialization lets one of the two do it and the other wait).
     */
    private static final class Recording {
        static final CellRecorder RECORDER = newRecorder();
        static final BridgeSink SINK = new BridgeSink(RECORDER);
    }

    private static volatile boolean cellResources = true;

    /** Set in premain, before any hook can run: false leaves each cell's CPU, allocation and GC unmeasured. */
    public static void measureCellResources(boolean measure) {
        cellResources = measure;
    }

    /**
     * Whether the recorder has been built (by a hook, or by the starter thread in a kernel that is
     * starting). Until then it has nothing to export, and a JVM that is no kernel never builds it:
     * its metric families are not on the way to the first scrape.
     */
    private static volatile boolean recorderBuilt;

    private static CellRecorder newRecorder() {
        CellRecorder recorder = new CellRecorder(new KernelKnown());
        if (!cellResources) {
            recorder.withoutResources();
        }
        recorderBuilt = true;
        return recorder;
    }

    /** Builds the recorder now, on the calling thread, if no hook has built it yet. */
    public static void prepareRecorder() {
        recorder();
    }

    /** Takes the watcher out of the JVM's transformers; a class, not a lambda (premain). */
    private static final class RemoveWatcher implements Runnable {
        private final Instrumentation inst;
        volatile KernelClassWatcher watcher;

        RemoveWatcher(Instrumentation inst) {
            this.inst = inst;
        }

        @Override
        public void run() {
            KernelClassWatcher w = watcher;
            if (w != null) {
                inst.removeTransformer(w);
            }
        }
    }

    /** The bridge's sink, resolving the recorder at the first event; a class, not a lambda (premain). */
    private static final class RecordingSink implements java.util.function.BiConsumer<Integer, Object> {
        @Override
        public void accept(Integer event, Object arg) {
            Recording.SINK.accept(event, arg);
        }
    }

    /**
     * Hooks the kernel's classes ahead of their use, in a JVM whose class path holds them
     * ({@link KernelPresence}); called in premain, before the host's main runs. It loads each
     * hooked class the system class loader can find (loaded only: none of its code runs before the
     * kernel uses it), then adds the watcher just long enough to retransform them. So no class
     * watcher sits in the way of the thousands of classes a kernel loads while it starts (in the
     * Kotlin kernel that cost about 4 % of the CPU time to its first reply), and no hook can come
     * late. Where none of the classes can be found this way, the watcher is added as usual.
     */
    public static synchronized void hookAhead(Instrumentation inst) {
        if (watcher != null) {
            return;
        }
        List<Class<?>> found = new ArrayList<>();
        ClassLoader system = ClassLoader.getSystemClassLoader();
        boolean onJShell = false;
        for (String hooked : HookPoints.classes()) {
            if (!HookPoints.isJdkClass(hooked) && loadAhead(hooked, system, found)) {
                onJShell |= HookPoints.runsCellsOnJShell(hooked);
            }
        }
        if (onJShell) {
            // JShell's engine only beside a kernel that runs its cells there: loading it in every
            // kernel would cost the others its classes for nothing
            for (String hooked : HookPoints.classes()) {
                if (HookPoints.isJdkClass(hooked)) {
                    loadAhead(hooked, system, found);
                }
            }
        }
        if (found.isEmpty() || !inst.isRetransformClassesSupported()) {
            install(inst, false);
            return;
        }
        KernelClassWatcher w = new KernelClassWatcher(new BridgeLocator(inst, new RecordingSink()), HOOK_STATES);
        inst.addTransformer(w, true);
        try {
            inst.retransformClasses(found.toArray(new Class<?>[0]));
        } catch (Throwable t) {
            Log.warn("cell hooks not added to the kernel classes: " + Log.describe(t));
        } finally {
            inst.removeTransformer(w);
        }
        watcher = w;
    }

    /** Loads (does not initialise) a hooked class into {@code found}; false where the class path lacks it. */
    private static boolean loadAhead(String internalName, ClassLoader loader, List<Class<?>> found) {
        try {
            found.add(Class.forName(internalName.replace('/', '.'), false, loader));
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            // another kernel's class, or this kernel does not have it
            return false;
        }
    }

    /** Registers the watcher and hooks kernel classes that are already loaded (late attach). */
    public static synchronized void install(Instrumentation inst) {
        install(inst, true);
    }

    /**
     * As {@link #install(Instrumentation)}; {@code lateAttach} false at JVM start, where no kernel
     * class is loaded yet: the watcher then weaves as classes load and is registered without
     * retransformation, which would make the JVM keep every class's bytes from then on.
     */
    public static synchronized void install(Instrumentation inst, boolean lateAttach) {
        if (watcher != null) {
            return;
        }
        boolean retransform = lateAttach && inst.isRetransformClassesSupported();
        // a watcher added at JVM start leaves once its kernel's classes are all woven: their woven
        // bytes stay what a later retransformation starts from. One that can retransform stays,
        // or a retransformation by another agent would drop the hooks.
        RemoveWatcher remove = retransform ? null : new RemoveWatcher(inst);
        KernelClassWatcher w = new KernelClassWatcher(new BridgeLocator(inst, new RecordingSink()), HOOK_STATES,
                remove);
        if (remove != null) {
            remove.watcher = w;
        }
        inst.addTransformer(w, retransform);
        watcher = w;
        if (retransform) {
            retransformLoaded(inst);
        }
    }

    private static void retransformLoaded(Instrumentation inst) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (HookPoints.forInternalName(c.getName().replace('.', '/')) != null && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        if (loaded.isEmpty()) {
            return;
        }
        try {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        } catch (Throwable t) {
            Log.warn("cell hooks not added to the already loaded kernel: " + Log.describe(t));
        }
    }

    /** Exports the cell metrics through {@code r}; the kernel label joins its identity once known. */
    public static void attach(LabelledRegistry r) {
        r.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                List<MetricFamilySamples> out = new ArrayList<>();
                if (recorderBuilt) {
                    out.addAll(recorder().collect());
                }
                out.addAll(HOOK_STATES.collect());
                return out;
            }
        });
        registry = r;
        // a recorder built later makes its kernel known through KernelKnown, which finds the registry set
        KernelDescription d = recorderBuilt ? recorder().kernel() : null;
        if (d != null) {
            label(r, d);
        }
    }

    /**
     * A class, not a method reference: it is made while the kernel starts, on the agent's starter
     * thread, where the first lambda would link the JDK's lambda machinery on the kernel's two cores.
     */
    private static final class KernelKnown implements java.util.function.Consumer<KernelDescription> {
        @Override
        public void accept(KernelDescription d) {
            kernelKnown(d);
        }
    }

    private static void kernelKnown(KernelDescription d) {
        LabelledRegistry r = registry;
        if (r != null) {
            label(r, d);
        }
        KERNEL_KNOWN.countDown();
    }

    /**
     * Waits until a hooked kernel has made itself known (its first hook ran: it connected or took
     * its first request), at most {@code millis}; true when it did.
     */
    public static boolean awaitKernel(long millis) throws InterruptedException {
        return KERNEL_KNOWN.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static synchronized void label(LabelledRegistry r, KernelDescription d) {
        Identity id = r.identity();
        if (!id.hasLabel("kernel")) {
            r.setIdentity(id.with("kernel", d.kernel()));
        }
    }
}
