package org.astropt.stream.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parameterless TorchScript module written in Java, so that libtorch kernels DJL 0.36's NDArray API does
 * not reach ({@link FusedAttention}, {@link FusedLinear}) run through DJL's TorchScript support: libtorch
 * compiles a module's source when it loads it. The archive is what torch.jit.save writes for a module
 * without parameters: code/__torch__.py (the source), data.pkl (the module object: pickle protocol 2 of a
 * {@code __torch__.<class>} whose state is {training: False}), constants.pkl (an empty tuple) and version
 * (3), under one top folder.
 */
final class TorchScriptArchive {

    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptArchive.class);

    private TorchScriptArchive() {}

    /**
     * Loads the module (call it once for the process) on a manager that lives as long as the process: the module is
     * shared by every model and thread. Null, and the written-out form runs instead, where -D{property}={off} is
     * set, where the engine is not PyTorch, and where libtorch cannot compile the source (logged with why).
     *
     * @param instead what runs when it does not load, for the log line
     */
    static PtSymbolBlock loadOrNull(String property, String off, String className, String methods, String instead) {
        if (off.equals(System.getProperty(property, "").trim())) return null;
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) return null;
        try {
            PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
            byte[] archive = of(className.toLowerCase(Locale.ROOT), className, methods);
            return JniUtils.loadModule(manager, new ByteArrayInputStream(archive), false, false);
        } catch (RuntimeException | IOException e) {
            LOG.info("{} unavailable, using {}: {}", className, instead, e.toString());
            return null;
        }
    }

    /**
     * Runs one of a module's methods on arrays (IValues made and closed here); the result is attached to the
     * first array's manager.
     */
    static NDArray call(PtSymbolBlock module, String method, NDArray... arrays) {
        IValue[] args = new IValue[arrays.length];
        for (int i = 0; i < arrays.length; i++) args[i] = IValue.from((PtNDArray) arrays[i]);
        try (IValue result = IValueUtils.runMethod(module, method, args)) {
            return result.toTensor((PtNDManager) arrays[0].getManager());
        } finally {
            for (IValue a : args) a.close();
        }
    }

    /**
     * @param methods the class's methods in TorchScript's serialised form, indented two spaces ({@code def
     *                name(self: __torch__.<className>, ...) -> ...:}); the class line and the attributes of a
     *                parameterless module are added here
     */
    static byte[] of(String folder, String className, String methods) {
        String source = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + methods;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, folder + "/data.pkl", modulePickle(className));
            entry(zip, folder + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            entry(zip, folder + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            entry(zip, folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Pickle protocol 2: GLOBAL __torch__.name, NEWOBJ with no arguments, BUILD with {training: False}. */
    private static byte[] modulePickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);                                                    // PROTO
        p.write(2);
        p.write('c');                                                     // GLOBAL module\nname\n
        p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.write(')');                                                     // EMPTY_TUPLE: no constructor arguments
        p.write(0x81);                                                    // NEWOBJ
        p.write('}');                                                     // EMPTY_DICT: the state
        p.write('X');                                                     // BINUNICODE "training"
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x89);                                                    // NEWFALSE
        p.write('s');                                                     // SETITEM
        p.write('b');                                                     // BUILD
        p.write('.');                                                     // STOP
        return p.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }
}
