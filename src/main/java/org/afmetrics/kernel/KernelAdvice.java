package org.afmetrics.kernel;

import net.bytebuddy.asm.Advice;
import org.afmetrics.kernel.bridge.CellBridge;

/**
 * The advice woven into kernel methods. Each piece only calls {@link CellBridge} (made visible
 * to the kernel's class loader by {@link BridgeLocator}) and suppresses any throwable of its
 * own, so it can never change what a user's cell does.
 */
final class KernelAdvice {
    private KernelAdvice() {
    }

    static final class KernelStart {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object kernel) {
            CellBridge.kernelStarted(kernel);
        }
    }

    static final class KernelSeen {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Origin Class<?> type) {
            CellBridge.kernelStarted(type);
        }
    }

    static final class Cell {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            CellBridge.cellStarted();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown) {
            CellBridge.cellEnded(thrown);
        }
    }

    static final class CellWork {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            CellBridge.workStarted();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit() {
            CellBridge.workEnded();
        }
    }

    static final class CellFailed {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            CellBridge.cellFailed();
        }
    }

    static final class CellResult {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Object result) {
            CellBridge.cellOutcome(result);
        }
    }

    static final class Interrupt {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            CellBridge.interruptRequested();
        }
    }
}
