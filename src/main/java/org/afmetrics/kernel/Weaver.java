package org.afmetrics.kernel;

import java.util.List;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.afmetrics.kernel.HookPoints.Enter;
import org.afmetrics.kernel.HookPoints.Exit;
import org.afmetrics.kernel.HookPoints.HookPoint;

/**
 * Puts the bridge calls into the hooked methods of one class file, with the ASM that Byte Buddy
 * bundles: a visitor pass over the class, no type pool, no class loading, so a cold JVM loads a
 * few dozen classes to do it rather than Byte Buddy's hundreds. Only existing method bodies
 * change: no new members, no type initializer, so the result also serves a retransformation
 * of a loaded class. Methods without hooks are copied as they are.
 * <p>
 * What goes in is a static call at entry and before each return, and for a cell a catch-all
 * handler that reports the throwable and rethrows it. The bridge's methods catch everything
 * themselves, so the inserted calls can never change what the kernel's method does.
 */
final class Weaver {
    private Weaver() {
    }

    static final String BRIDGE = "org/afmetrics/kernel/bridge/CellBridge";
    private static final String OBJECT_ARG = "(Ljava/lang/Object;)V";
    private static final String THROWABLE_ARG = "(Ljava/lang/Throwable;)V";
    private static final String THROWABLE = "java/lang/Throwable";

    /**
     * Rewrites {@code bytes}, a class whose hook points are {@code points}; adds every point it
     * wove to {@code woven}. Returns null when no point was found (the class stays as it was).
     */
    static byte[] weave(byte[] bytes, List<HookPoint> points, Set<HookPoint> woven) {
        ClassReader reader = new ClassReader(bytes);
        // the reader passed in: methods without hooks are copied byte for byte, not rebuilt
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new HookingClass(writer, points, woven), ClassReader.EXPAND_FRAMES);
        return woven.isEmpty() ? null : writer.toByteArray();
    }

    /** True when {@code point} can be woven into a method of these access flags and descriptor. */
    static boolean fits(HookPoint point, int access, String descriptor) {
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return false;
        }
        if (point.role.enter == Enter.THIS && (access & Opcodes.ACC_STATIC) != 0) {
            return false;
        }
        if (point.role.exit == Exit.RETURNED) {
            int sort = Type.getReturnType(descriptor).getSort();
            return sort == Type.OBJECT || sort == Type.ARRAY;
        }
        return true;
    }

    private static final class HookingClass extends ClassVisitor {
        private final List<HookPoint> points;
        private final Set<HookPoint> woven;
        private boolean frames;

        HookingClass(ClassVisitor next, List<HookPoint> points, Set<HookPoint> woven) {
            super(Opcodes.ASM9, next);
            this.points = points;
            this.woven = woven;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            // class files before Java 6 have no stack map frames; later ones must have them
            frames = (version & 0xFFFF) >= Opcodes.V1_6;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            for (HookPoint p : points) {
                if (p.matches(name, descriptor) && fits(p, access, descriptor)) {
                    woven.add(p);
                    return new HookedMethod(mv, p, descriptor, frames);
                }
            }
            return mv;
        }
    }

    private static final class HookedMethod extends MethodVisitor {
        private final HookPoint point;
        private final boolean frames;
        private final Label start = new Label();
        private final Label end = new Label();
        private final Label handler = new Label();

        HookedMethod(MethodVisitor next, HookPoint point, String descriptor, boolean frames) {
            super(Opcodes.ASM9, next);
            this.point = point;
            this.frames = frames;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            switch (point.role.enter) {
                case PLAIN:
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, point.role.enterCall, "()V", false);
                    break;
                case THIS:
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, point.role.enterCall, OBJECT_ARG, false);
                    break;
                case OWNER_CLASS:
                    super.visitLdcInsn(Type.getObjectType(point.owner));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, point.role.enterCall, OBJECT_ARG, false);
                    break;
                default:
                    break;
            }
            if (point.role.exit == Exit.THROWN_OR_NULL) {
                super.visitLabel(start);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                if (point.role.exit == Exit.RETURNED && opcode == Opcodes.ARETURN) {
                    super.visitInsn(Opcodes.DUP);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, point.role.exitCall, OBJECT_ARG, false);
                } else if (point.role.exit == Exit.THROWN_OR_NULL) {
                    super.visitInsn(Opcodes.ACONST_NULL);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, point.role.exitCall, THROWABLE_ARG, false);
                }
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (point.role.exit == Exit.THROWN_OR_NULL) {
                // the catch-all goes last in the exception table, after the method's own handlers,
                // so it sees only what leaves the method; its frame names no locals, which every
                // point of the covered range satisfies
                super.visitLabel(end);
                super.visitTryCatchBlock(start, end, handler, THROWABLE);
                super.visitLabel(handler);
                if (frames) {
                    super.visitFrame(Opcodes.F_NEW, 0, new Object[0], 1, new Object[] {THROWABLE});
                }
                super.visitInsn(Opcodes.DUP);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, point.role.exitCall, THROWABLE_ARG, false);
                super.visitInsn(Opcodes.ATHROW);
            }
            // one more slot for the value or throwable a call takes, two in the handler
            super.visitMaxs(Math.max(maxStack + 1, 2), maxLocals);
        }
    }
}
