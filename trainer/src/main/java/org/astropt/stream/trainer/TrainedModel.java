package org.astropt.stream.trainer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.astropt.stream.core.token.InputLayout;

/**
 * One model the trainer trains, as {@code trainer.models} declares it ({@code NAME=LAYOUT[:PRESET]}, e.g.
 * {@code astropt-ztf=alert-triplet:1M}): its name on astropt.models, the layout of the token records it learns
 * from ({@link InputLayout}: grz-cutout or alert-triplet), and the preset its first round starts from (null:
 * trainer.preset). Each gets a trainer of its own ({@link TrainerSettings#perModel()}, {@link Trainers}).
 *
 * @param name   model name on astropt.models, also its state folder's name under trainer.state-dir
 * @param layout the token records it trains on; records of other layouts on the same topic are skipped
 * @param preset size of its first (from-scratch) round, a name or LAYERS/HEADS/WIDTH; null for trainer.preset
 */
public record TrainedModel(String name, InputLayout layout, String preset) {

    /** Letters, digits, '.', '_' and '-', starting with a letter or digit: a folder name on every file system. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public TrainedModel {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("trainer.models: model name '" + name + "' must be letters, digits, '.', '_' or '-'"
                    + " (it names the model's state folder)");
        }
        if (name.startsWith("ckpt-") || name.equals(CandidateJudge.CANDIDATE_DIR) || name.equals(HeadsOnlyCandidate.DIR)) {
            throw new IllegalArgumentException("trainer.models: model name '" + name + "' is taken by the trainer's own"
                    + " folders in a state folder (ckpt-*, candidate, heads-candidate)");
        }
        if (layout == null) throw new IllegalArgumentException("trainer.models: model '" + name + "' has no layout");
        if (preset != null) TrainerSettings.presetOf(preset); // an unknown preset fails here, naming the known ones
    }

    /**
     * The entries of trainer.models, in order: each {@code NAME=LAYOUT} or {@code NAME=LAYOUT:PRESET}; a
     * malformed entry, an unknown layout or preset, or a name given twice is a one-line error naming the entry.
     */
    static List<TrainedModel> parse(List<String> entries) {
        List<TrainedModel> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("trainer.models entry '" + entry + "' is not NAME=LAYOUT[:PRESET]"
                        + " (e.g. astropt=grz-cutout, astropt-ztf=alert-triplet)");
            }
            String name = entry.substring(0, eq).trim();
            String rest = entry.substring(eq + 1).trim();
            int colon = rest.indexOf(':');
            String layout = colon < 0 ? rest : rest.substring(0, colon).trim();
            String preset = colon < 0 ? null : rest.substring(colon + 1).trim();
            if (layout.isEmpty()) throw new IllegalArgumentException("trainer.models entry '" + entry + "' names no layout");
            TrainedModel m;
            try {
                m = new TrainedModel(name, InputLayout.of(layout), preset == null || preset.isEmpty() ? null : preset);
            } catch (IllegalArgumentException e) {
                String message = e.getMessage().replaceFirst("^trainer\\.models: ", "");
                throw new IllegalArgumentException("trainer.models entry '" + entry + "': " + message, e);
            }
            if (!names.add(m.name())) throw new IllegalArgumentException("trainer.models names '" + m.name() + "' twice");
            out.add(m);
        }
        return List.copyOf(out);
    }
}
