package org.astropt.stream.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Causal attention through libtorch's fused kernel, {@code torch.scaled_dot_product_attention(q, k, v,
 * is_causal=True)}: softmax(q k^T / sqrt(hd) + causal mask) v computed block by block, without the
 * [B, H, T, T] scores and probabilities that the explicit form writes and reads. DJL 0.36's NDArray API
 * does not reach that operator, but DJL runs TorchScript modules, and libtorch compiles a module's
 * TorchScript source when it loads it; so this class writes a parameterless TorchScript archive whose
 * forward is that one call ({@link #archive()}: the source, a three-field pickle, a version) and loads
 * it once per process. Autograd runs through it (the kernel has its own backward).
 *
 * <p>Why: at 256 tokens the explicit form's [B, H, T, T] arrays dominate a narrow model (1M preset,
 * batch 32: 67 MB per layer, softmax alone 43% of the forward pass); at 64 tokens the two forms cost
 * about the same (docs/BENCHMARKS.md, "MKL's code paths on AMD, and fused attention"). Results agree with the explicit form to a
 * few units in the last place (the kernel sums the softmax in blocks); the parity tests check it
 * against the reference fixtures.
 *
 * <p>{@link #get()} is null where the module does not load (another engine; a libtorch without the
 * operator): {@link CausalSelfAttention} then keeps the explicit form. -Dastropt.attention=explicit
 * forces that form.
 */
final class FusedAttention {

    private static final Logger LOG = LoggerFactory.getLogger(FusedAttention.class);

    /** TorchScript source of the module: one call, the default scale 1/sqrt(hd), no dropout. */
    private static final String SOURCE = """
            class FusedCausalAttention(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.FusedCausalAttention,
                q: Tensor,
                k: Tensor,
                v: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(q, k, v, None, 0., True)
            """;

    private final PtSymbolBlock module;

    private FusedAttention(PtSymbolBlock module) { this.module = module; }

    /**
     * The process's module, loaded on first use (a failed load is remembered too); null where it cannot
     * load or is switched off.
     */
    static FusedAttention get() { return Loaded.ATTENTION; }

    /** Loaded when {@link #get()} first reads it: the JVM's class initialisation makes that once and thread-safe. */
    private static final class Loaded {
        static final FusedAttention ATTENTION = load();
    }

    /** [B, H, T, hd] each -> [B, H, T, hd]; attached to q's manager. */
    NDArray apply(NDArray q, NDArray k, NDArray v, boolean training) {
        ParameterStore none = new ParameterStore(q.getManager(), false);
        return module.forward(none, new NDList(q, k, v), training).singletonOrThrow();
    }

    private static FusedAttention load() {
        if ("explicit".equals(System.getProperty("astropt.attention", "").trim())) return null;
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) return null;
        try {
            // A manager that lives as long as the process: the module is shared by every model and thread.
            PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
            PtSymbolBlock module = JniUtils.loadModule(manager, new ByteArrayInputStream(archive()), false, false);
            return new FusedAttention(module);
        } catch (RuntimeException | IOException e) {
            LOG.info("fused attention unavailable, using the explicit form: {}", e.toString());
            return null;
        }
    }

    /**
     * The TorchScript archive: a zip of code/__torch__.py (the source), data.pkl (the module object:
     * pickle protocol 2 of a __torch__.FusedCausalAttention whose state is {training: False}),
     * constants.pkl (an empty tuple) and version (3), under one top folder, as torch.jit.save writes
     * them for a module without parameters.
     */
    static byte[] archive() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "fused_attention/data.pkl", modulePickle("FusedCausalAttention"));
            entry(zip, "fused_attention/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            entry(zip, "fused_attention/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            entry(zip, "fused_attention/version", "3\n".getBytes(StandardCharsets.US_ASCII));
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
