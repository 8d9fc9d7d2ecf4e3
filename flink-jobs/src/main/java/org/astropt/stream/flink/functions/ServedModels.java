package org.astropt.stream.flink.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.astropt.stream.core.model.ModelConfig;

/**
 * The models the embed stage serves at once, one version per model name, and which of them reads a token
 * sequence. Plain Java on the task thread; the embed operator loads, swaps and closes, this class keeps the map
 * and answers the routing question.
 *
 * <p>A sequence goes to the serving model whose config reads its layout ({@code input_layout}) and its token
 * shape (token width equal, 1 to block-size tokens); when several fit, a PROMOTED version before the initial
 * model (version 0), then the first name in alphabetical order. When none fits and exactly one model serves,
 * the sequence goes to it anyway, so its check dead-letters it naming that model (as with one model before).
 * A PROMOTED version of any name retires an initial model (version 0) of another name that reads the same
 * layout and token width: the initial model serves only until a real version of its kind does.
 */
final class ServedModels {

    /** What the router needs of a sequence: its layout and token shape. */
    record Shape(String layout, int tokenDim, int tokenCount) {}

    private final TreeMap<String, ServingModel> byName = new TreeMap<>();

    boolean isEmpty() { return byName.isEmpty(); }

    /** Whether a version of this name serves. */
    boolean serves(String name) { return byName.containsKey(name); }

    ServingModel get(String name) { return byName.get(name); }

    /** Serves {@code next} for its name; returns the models it replaces (its name's old one, a retired initial model): close them after the batches in flight. */
    List<ServingModel> serve(ServingModel next) {
        List<ServingModel> replaced = new ArrayList<>(1);
        ServingModel old = byName.put(next.pointer().name, next);
        if (old != null && old != next) replaced.add(old);
        if (next.pointer().version > 0) {
            for (var it = byName.entrySet().iterator(); it.hasNext(); ) {
                ServingModel m = it.next().getValue();
                if (m != next && m.pointer().version == 0 && sameInput(m.config(), next.config())) {
                    it.remove();
                    replaced.add(m);
                }
            }
        }
        return replaced;
    }

    private static boolean sameInput(ModelConfig a, ModelConfig b) {
        return a.inputLayout() == b.inputLayout() && a.tokenDim() == b.tokenDim();
    }

    /** Whether a model's config reads a sequence of this shape. */
    static boolean reads(ModelConfig c, Shape s) {
        return c.inputLayout().id().equals(s.layout()) && c.tokenDim() == s.tokenDim()
                && s.tokenCount() >= 1 && s.tokenCount() <= c.blockSize();
    }

    /** The model that embeds a sequence of this shape (see the class comment), or null when none serving reads it. */
    ServingModel route(Shape s) {
        ServingModel best = null;
        for (ServingModel m : byName.values()) {
            if (!reads(m.config(), s)) continue;
            if (best == null || (best.pointer().version == 0 && m.pointer().version > 0)) best = m;
        }
        return best;
    }

    /** The serving model when exactly one serves, else null. */
    ServingModel only() {
        return byName.size() == 1 ? byName.firstEntry().getValue() : null;
    }

    /** The one-line reason a sequence no serving model reads is dead-lettered: its layout and shape, and the models served. */
    String unread(String id, Shape s) {
        return id + ": no model served here reads this " + s.layout() + " sequence (" + s.tokenCount() + " tokens of "
                + s.tokenDim() + " values); served: " + describe();
    }

    /** The models served, each with what it reads, e.g. {@code astropt v3 (grz-cutout, up to 1024 tokens of 768)}. */
    String describe() {
        if (byName.isEmpty()) return "none";
        return byName.values().stream().map(m -> m.pointer().label() + " (" + m.config().inputLayout().id() + ", up to "
                + m.config().blockSize() + " tokens of " + m.config().tokenDim() + ")").collect(Collectors.joining(", "));
    }

    /** Removes every model and returns them (closing). */
    List<ServingModel> clear() {
        List<ServingModel> all = new ArrayList<>(byName.values());
        byName.clear();
        return all;
    }
}
