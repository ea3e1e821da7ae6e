package org.afmetrics.kernel;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import org.afmetrics.Log;

/**
 * A plain JDK transformer that looks at class names only. Every class the JVM loads passes here,
 * so the common path is one map lookup that misses; only a kernel class wakes the
 * {@link Weaver} (and with it Byte Buddy). Never throws: a class it cannot weave loads as it is.
 */
final class KernelClassWatcher implements ClassFileTransformer {
    private final BridgeLocator bridges;
    private volatile Weaver weaver;
    private volatile boolean broken;

    KernelClassWatcher(BridgeLocator bridges) {
        this.bridges = bridges;
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
        if (HookPoints.forInternalName(className) == null || broken) {
            return null;
        }
        try {
            if (!bridges.connect(module, loader)) {
                return null;
            }
            Weaver w = weaver();
            return w == null ? null : w.weave(loader, className, bytes);
        } catch (Throwable t) {
            Log.warn("cell hooks not added to " + className.replace('/', '.') + ": " + Log.describe(t));
            return null;
        }
    }

    private Weaver weaver() {
        Weaver w = weaver;
        if (w != null) {
            return w;
        }
        synchronized (this) {
            if (weaver == null && !broken) {
                try {
                    weaver = new Weaver();
                } catch (Throwable t) {
                    broken = true;
                    Log.warn("cell hooks unavailable: " + Log.describe(t));
                }
            }
            return weaver;
        }
    }
}
