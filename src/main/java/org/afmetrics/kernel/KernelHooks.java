package org.afmetrics.kernel;

import io.prometheus.client.Collector;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import org.afmetrics.Log;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.identity.Identity;

/**
 * Cell metrics in JVM kernels: the agent's entry to this package. {@link #install} runs in
 * premain/agentmain and only registers a class-name watcher, and at JVM start only where a
 * hooked kernel can appear ({@link #kernelMayAppear}); the weaving follows when a kernel class
 * is actually loaded. {@link #attach} joins the recorder and the hooks' states to the exporter's
 * registry, whichever of the two happens first.
 */
public final class KernelHooks {
    private static final CellRecorder RECORDER = new CellRecorder(new KernelKnown());
    private static final HookStates HOOK_STATES = new HookStates();
    private static volatile LabelledRegistry registry;
    private static volatile KernelClassWatcher watcher;

    private KernelHooks() {
    }

    public static CellRecorder recorder() {
        return RECORDER;
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
        KernelClassWatcher w = new KernelClassWatcher(new BridgeLocator(inst, new BridgeSink(RECORDER)), HOOK_STATES);
        boolean retransform = lateAttach && inst.isRetransformClassesSupported();
        inst.addTransformer(w, retransform);
        watcher = w;
        if (retransform) {
            retransformLoaded(inst);
        }
    }

    /**
     * Whether a JVM with this main (its {@code sun.java.command} main) can load a hooked kernel
     * class through its class path: the main is a known kernel's, or a hooked class is a resource
     * of the system class loader. A kernel whose classes come through a class loader of its own
     * is not seen here; {@code cell-hooks=force} installs the watcher regardless.
     */
    public static boolean kernelMayAppear(String main) {
        for (String kernelMain : HookPoints.KERNEL_MAINS) {
            if (kernelMain.equals(main)) {
                return true;
            }
        }
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (String hooked : HookPoints.classes()) {
            if (system.getResource(hooked + ".class") != null) {
                return true;
            }
        }
        return false;
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
                List<MetricFamilySamples> out = new ArrayList<>(RECORDER.collect());
                out.addAll(HOOK_STATES.collect());
                return out;
            }
        });
        registry = r;
        KernelDescription d = RECORDER.kernel();
        if (d != null) {
            label(r, d);
        }
    }

    /** A class, not a method reference: it is created in premain, where a lambda costs milliseconds to link. */
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
    }

    private static synchronized void label(LabelledRegistry r, KernelDescription d) {
        Identity id = r.identity();
        if (!id.hasLabel("kernel")) {
            r.setIdentity(id.with("kernel", d.kernel()));
        }
    }
}
