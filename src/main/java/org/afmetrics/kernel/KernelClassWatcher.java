package org.afmetrics.kernel;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.afmetrics.kernel.HookPoints.HookPoint;
import org.afmetrics.support.Log;

/**
 * A plain JDK transformer that looks at class names only. Every class the JVM loads passes here
 * while it is registered, so the common path is one map lookup that misses; only a kernel class
 * wakes the {@link Weaver} (and with it the ASM classes). Never throws: a class it cannot weave
 * loads as it is, and its hook points are reported in {@link HookStates}.
 */
final class KernelClassWatcher implements ClassFileTransformer {
    private final BridgeLocator bridges;
    private final HookStates states;
    private final Runnable allHooked;
    private final Set<String> seen = java.util.Collections.synchronizedSet(new HashSet<>());

    KernelClassWatcher(BridgeLocator bridges, HookStates states) {
        this(bridges, states, null);
    }

    /**
     * As {@link #KernelClassWatcher(BridgeLocator, HookStates)}; {@code allHooked} (may be null)
     * runs once every hooked class of a kernel has passed, after which the classes the kernel
     * loads need not pass through here.
     */
    KernelClassWatcher(BridgeLocator bridges, HookStates states, Runnable allHooked) {
        this.bridges = bridges;
        this.states = states;
        this.allHooked = allHooked;
        // load the lookup now: loading it from inside transform() would pass through transform()
        // again and define the class twice
        HookPoints.forInternalName("");
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd,
            byte[] bytes) {
        return transform(null, loader, className, redefined, pd, bytes);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
            ProtectionDomain pd, byte[] bytes) {
        List<HookPoint> points = HookPoints.forInternalName(className);
        if (points == null) {
            return null;
        }
        try {
            return weave(module, loader, points, bytes);
        } finally {
            seen(className);
        }
    }

    private void seen(String className) {
        if (allHooked == null) {
            return;
        }
        seen.add(className);
        Set<String> kernel = HookPoints.sameKernel(className);
        if (!kernel.isEmpty() && seen.containsAll(kernel)) {
            try {
                allHooked.run();
            } catch (Throwable ignored) {
                // the watcher stays; it costs a little, nothing more
            }
        }
    }

    private byte[] weave(Module module, ClassLoader loader, List<HookPoint> points, byte[] bytes) {
        try {
            if (!bridges.connect(module, loader)) {
                for (HookPoint p : points) {
                    states.failed(p, "the class loader reaches no cell bridge");
                }
                return null;
            }
            Set<HookPoint> woven = new HashSet<>();
            byte[] out = Weaver.weave(bytes, points, woven);
            for (HookPoint p : points) {
                if (woven.contains(p)) {
                    states.woven(p);
                } else {
                    states.missing(p);
                }
            }
            return out;
        } catch (Throwable t) {
            for (HookPoint p : points) {
                states.failed(p, Log.describe(t));
            }
            return null;
        }
    }
}
