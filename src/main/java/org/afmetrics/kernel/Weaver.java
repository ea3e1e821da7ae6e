package org.afmetrics.kernel;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.Map;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.JavaModule;
import org.afmetrics.Log;

/**
 * The only class that touches Byte Buddy; {@link KernelClassWatcher} creates it when the first
 * kernel class is being loaded, so a JVM that is no kernel never loads Byte Buddy. Weaving adds
 * advice inside existing methods and nothing else (no new members), so it also works when
 * classes that are already loaded are retransformed.
 */
final class Weaver {
    private final ClassFileTransformer raw;

    Weaver() {
        AgentBuilder.Identified.Extendable builder = null;
        AgentBuilder base = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(new ErrorListener());
        for (Map.Entry<String, Map<String, HookPoints.Role>> e : HookPoints.BY_CLASS.entrySet()) {
            String typeName = e.getKey().replace('/', '.');
            AgentBuilder.Transformer transformer = new Hooks(e.getValue());
            builder = (builder == null ? base.type(ElementMatchers.named(typeName))
                    : builder.type(ElementMatchers.named(typeName))).transform(transformer);
        }
        this.raw = builder.makeRaw();
    }

    byte[] weave(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain pd, byte[] bytes)
            throws IllegalClassFormatException {
        return raw.transform(loader, internalName, redefined, pd, bytes);
    }

    private static final class Hooks implements AgentBuilder.Transformer {
        private final Map<String, HookPoints.Role> methods;

        Hooks(Map<String, HookPoints.Role> methods) {
            this.methods = methods;
        }

        @Override
        public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                ClassLoader loader, JavaModule module, ProtectionDomain pd) {
            DynamicType.Builder<?> b = builder;
            for (Map.Entry<String, HookPoints.Role> m : methods.entrySet()) {
                b = b.visit(advice(m.getValue()).on(ElementMatchers.named(m.getKey())
                        .and(ElementMatchers.not(ElementMatchers.isAbstract()))));
            }
            return b;
        }
    }

    private static Advice advice(HookPoints.Role role) {
        switch (role) {
            case KERNEL_START:
                return Advice.to(KernelAdvice.KernelStart.class);
            case KERNEL_SEEN:
                return Advice.to(KernelAdvice.KernelSeen.class);
            case CELL:
                return Advice.to(KernelAdvice.Cell.class);
            case CELL_FAILED:
                return Advice.to(KernelAdvice.CellFailed.class);
            case CELL_RESULT:
                return Advice.to(KernelAdvice.CellResult.class);
            case INTERRUPT:
                return Advice.to(KernelAdvice.Interrupt.class);
            default:
                throw new IllegalArgumentException(role.name());
        }
    }

    /** Weaving problems become one line each; the class then loads unchanged. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
            Log.warn("cell hooks not added to " + typeName + ": " + Log.describe(t));
        }
    }

}
