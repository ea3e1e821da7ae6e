package org.afmetrics.kernel;

import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;

/**
 * The only class that touches Byte Buddy; {@link KernelClassWatcher} creates it when the first
 * kernel class is being loaded, so a JVM that is no kernel never loads Byte Buddy. It rewrites
 * the given class file with advice inside existing methods and nothing else: no new members, no
 * type initializer, so the result is also valid when an already loaded class is retransformed.
 * It uses Byte Buddy's class-file API only (no agent builder, no class injection), which keeps
 * the JVM quiet on JDKs that warn about the internals injection relies on.
 */
final class Weaver {
    private final ByteBuddy byteBuddy = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(Implementation.Context.Disabled.Factory.INSTANCE)
            .with(InstrumentedType.Factory.Default.FROZEN)
            .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
            // synthetic methods too: a lambda's body is one (HookPoints names them by descriptor)
            .ignore(ElementMatchers.isDefaultFinalizer());

    byte[] weave(ClassLoader loader, String internalName, byte[] bytes) {
        Map<String, HookPoints.Role> methods = HookPoints.forInternalName(internalName);
        String typeName = internalName.replace('/', '.');
        ClassFileLocator self = ClassFileLocator.Simple.of(typeName, bytes);
        ClassFileLocator around = loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader()
                : ClassFileLocator.ForClassLoader.of(loader);
        TypePool pool = TypePool.Default.WithLazyResolution.of(new ClassFileLocator.Compound(self, around));
        TypeDescription type = pool.describe(typeName).resolve();
        DynamicType.Builder<?> builder = byteBuddy.redefine(type, self);
        for (Map.Entry<String, HookPoints.Role> m : methods.entrySet()) {
            builder = builder.visit(advice(m.getValue()).on(method(m.getKey())
                    .and(ElementMatchers.not(ElementMatchers.isAbstract()))));
        }
        return builder.make().getBytes();
    }

    /** The matcher of a {@link HookPoints} method: name or name prefix, then a descriptor prefix. */
    static ElementMatcher.Junction<MethodDescription> method(String spec) {
        int paren = spec.indexOf('(');
        String name = paren < 0 ? spec : spec.substring(0, paren);
        String descriptor = paren < 0 ? "" : spec.substring(paren);
        ElementMatcher.Junction<MethodDescription> byName = name.endsWith("*")
                ? ElementMatchers.nameStartsWith(name.substring(0, name.length() - 1))
                : ElementMatchers.named(name);
        if (descriptor.isEmpty()) {
            return byName;
        }
        return byName.and(new ElementMatcher.Junction.AbstractBase<MethodDescription>() {
            @Override
            public boolean matches(MethodDescription target) {
                return target != null && target.getDescriptor().startsWith(descriptor);
            }
        });
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
            case CELL_WORK:
                return Advice.to(KernelAdvice.CellWork.class);
            default:
                throw new IllegalArgumentException(role.name());
        }
    }
}
